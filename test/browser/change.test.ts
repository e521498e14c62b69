import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

/** Polls give the local stack time: under a loaded CI a page of 100 twins takes seconds, not one. */
const WAIT = { timeout: 20_000, interval: 100 };

let harness: ConsoleHarness;
let tenant: string;
let token: string;
let unit: SeededTwin;

interface TwinBody {
  version: number;
  configuration: { path: string; component: { serialNumber?: string } | null; children: unknown[] }[];
}

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('acme');
  token = await harness.token(tenant, ['admin'], 'planner@acme');
  unit = await createTwin(harness, token, aircraft('MSN-7001'));
  // Its controller stays installed on the other unit: installing it here is a conflict.
  await createTwin(harness, token, aircraft('MSN-7002', 'HAM'));
});

afterAll(async () => {
  await harness?.stop();
});

const item = (page: Page, path: string) => page.locator(`[role="treeitem"][data-path="${path}"]`);
const dialog = (page: Page) => page.getByRole('dialog');
const focused = (page: Page, attribute: string) =>
  page.evaluate(`document.activeElement && document.activeElement.getAttribute('${attribute}')`);
const timeline = (page: Page) =>
  page.getByRole('list', { name: 'Change sets, latest effective first' }).locator('> li');
const showTab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true }).click();
const history = async () =>
  (await harness.call<{ items: { reason: string }[] }>(token, 'GET', `/v1/twins/${unit.id}/history`)).items;

async function openUnit(page: Page, role = 'engineer') {
  await signIn(page, tenant, role, 'planner@acme');
  await page.goto(`/twins/${unit.id}`);
  await page.getByRole('tree').waitFor();
}

async function select(page: Page, path: string) {
  await item(page, path).locator('> .node .slug').click();
  await page.getByRole('heading', { name: `Position ${path}`, exact: true }).waitFor();
}

/** Opens an action's dialog at the selected position. */
async function open(page: Page, action: string, path: string) {
  await page.getByRole('group', { name: 'Record a change' }).getByRole('button', { name: action }).click();
  await dialog(page)
    .getByRole('heading', { name: `${action} at ${path}` })
    .waitFor();
}

async function changeSet(page: Page, reason: string, workOrder?: string) {
  await dialog(page).getByLabel('Reason').fill(reason);
  if (workOrder) await dialog(page).getByLabel('Work order').fill(workOrder);
  await dialog(page).getByRole('button', { name: 'Record change' }).click();
}

async function recorded(page: Page, version: number) {
  await expect
    .poll(() => page.getByTestId('change-recorded').textContent())
    .toContain(`Change recorded: the unit is now at version ${version}.`);
  await expect.poll(() => page.getByTestId('version').textContent(), WAIT).toBe(String(version));
  expect(await dialog(page).count()).toBe(0);
}

describe('console: recording a change', () => {
  it('replaces a component: new serial in the tree, the change in the timeline, the old serial closed', async () => {
    const page = await harness.page();
    await openUnit(page);
    await select(page, 'hvac/controller');
    await open(page, 'Replace component', 'hvac/controller');
    // Focus moves into the form, which starts like for like.
    await expect.poll(() => focused(page, 'name'), WAIT).toBe('partNumber');
    expect(await dialog(page).getByLabel('Part number').inputValue()).toBe('HVAC-CTL-9');
    expect(await dialog(page).getByLabel('Kind').inputValue()).toBe('electrical');
    await dialog(page).getByLabel('Serial number').fill('HVC-NEW-7');
    await screenshot(page, 'change-replace-dialog');
    await changeSet(page, 'HVAC controller failed BITE', 'WO-2026-0901');
    await recorded(page, 2);
    await expect.poll(() => item(page, 'hvac/controller').textContent(), WAIT).toContain('SN HVC-NEW-7');
    // Focus goes to the confirmation, which links to the component that left.
    await expect.poll(() => focused(page, 'data-testid'), WAIT).toBe('change-recorded');
    await showTab(page, 'History');
    const latest = timeline(page).first();
    await expect.poll(() => latest.textContent(), WAIT).toContain('HVAC controller failed BITE');
    expect(await latest.textContent()).toContain('WO-2026-0901');
    expect(await latest.textContent()).toContain('by planner@acme');
    await expect
      .poll(() => latest.textContent(), WAIT)
      .toContain('replace hvac/controller: HVAC-CTL-9 SN HVC-MSN-7001 → HVAC-CTL-9 SN HVC-NEW-7');
    await screenshot(page, 'change-replaced');
    await showTab(page, 'Configuration');

    await page.getByRole('link', { name: 'follow SN HVC-MSN-7001' }).click();
    await page.getByRole('heading', { name: 'HVAC-CTL-9 SN HVC-MSN-7001' }).waitFor();
    const rows = page.locator('table.list tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    const cells = rows.first().getByRole('cell');
    expect(await cells.nth(0).textContent()).toBe('MSN-7001');
    expect(await cells.nth(1).textContent()).toBe('hvac/controller');
    // Closed: it has an end, it is not "installed now".
    expect(await cells.nth(3).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });

  it('installs into an empty position and removes it again; Escape closes a form and gives focus back', async () => {
    const page = await harness.page();
    await openUnit(page);
    await select(page, 'cabin');
    expect(await page.getByRole('button', { name: 'Remove component' }).count()).toBe(0);
    await open(page, 'Install component', 'cabin');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count(), WAIT).toBe(0);
    await expect.poll(() => focused(page, 'aria-haspopup'), WAIT).toBe('dialog');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Install component');

    await open(page, 'Install component', 'cabin');
    await dialog(page).getByLabel('Part number').fill('GALLEY-2');
    await dialog(page).getByLabel('Serial number').fill('GLY-31');
    await dialog(page).getByLabel('Kind').selectOption('mechanical');
    await dialog(page).getByLabel('Revision').fill('A');
    await changeSet(page, 'galley fitted');
    await recorded(page, 3);
    await expect.poll(() => item(page, 'cabin').textContent(), WAIT).toContain('SN GLY-31');
    expect(await item(page, 'cabin').textContent()).toContain('rev A');

    await open(page, 'Remove component', 'cabin');
    await changeSet(page, 'galley removed for repair');
    await recorded(page, 4);
    await expect.poll(() => item(page, 'cabin').textContent(), WAIT).toContain('empty');
    await showTab(page, 'History');
    await expect
      .poll(() => timeline(page).first().textContent(), WAIT)
      .toContain('galley removed for repair');
    await expect
      .poll(() => timeline(page).first().textContent(), WAIT)
      .toContain('remove cabin: GALLEY-2 SN GLY-31 rev A → nothing');
    await expect
      .poll(() => timeline(page).nth(1).textContent(), WAIT)
      .toContain('install cabin: nothing → GALLEY-2 SN GLY-31 rev A');
    expect(await page.getByTestId('change-recorded').textContent()).toContain(
      'GALLEY-2 SN GLY-31 rev A left this position and keeps its history',
    );
  });

  it('updates software: the new version shows in the tree and the timeline', async () => {
    const page = await harness.page();
    await openUnit(page, 'admin');
    await select(page, 'engine-1/fadec/sw');
    expect(await page.getByRole('button', { name: 'Install component' }).count()).toBe(0);
    await open(page, 'Update software', 'engine-1/fadec/sw');
    await dialog(page).getByLabel('New software version').fill('5.4.0');
    await changeSet(page, 'OTA 5.4.0');
    await recorded(page, 5);
    await expect
      .poll(() => item(page, 'engine-1/fadec/sw').locator('.version').textContent(), WAIT)
      .toBe('5.4.0');
    await showTab(page, 'History');
    await expect
      .poll(() => timeline(page).first().textContent())
      .toContain('update engine-1/fadec/sw: software 5.2.1 → 5.4.0');
  });

  it('refuses a stale change with "someone changed this unit; reload" and writes nothing', async () => {
    const page = await harness.page();
    await openUnit(page);
    await select(page, 'hvac/controller');
    const before = await history();
    const current = await harness.call<TwinBody>(token, 'GET', `/v1/twins/${unit.id}`);
    // Behind the page's back.
    await harness.call(token, 'PATCH', `/v1/twins/${unit.id}`, { site: 'MUC' }, current.version);
    await open(page, 'Replace component', 'hvac/controller');
    await dialog(page).getByLabel('Serial number').fill('HVC-STALE-1');
    await changeSet(page, 'stale attempt');
    const alert = dialog(page).getByRole('alert');
    await expect.poll(() => alert.textContent(), WAIT).toContain('Someone changed this unit; reload.');
    await screenshot(page, 'change-stale');
    // the PATCH behind the page's back is in the history (every write is); the stale attempt is not
    expect((await history()).map((change) => change.reason)).toEqual([
      "edit of the twin's site",
      ...before.map((change) => change.reason),
    ]);
    const after = await harness.call<TwinBody>(token, 'GET', `/v1/twins/${unit.id}`);
    expect(JSON.stringify(after.configuration)).not.toContain('HVC-STALE-1');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => dialog(page).count(), WAIT).toBe(0);
    await expect.poll(() => page.getByTestId('site').textContent(), WAIT).toBe('MUC');
    await expect.poll(() => page.getByTestId('version').textContent(), WAIT).toBe(String(after.version));
    await showTab(page, 'History');
    await expect.poll(() => timeline(page).first().textContent(), WAIT).toContain('edit of the twin: site');
    await expect.poll(() => timeline(page).first().textContent(), WAIT).toContain('→ MUC');
  });

  it('shows the API’s conflict when the serial is installed on another unit (409)', async () => {
    const page = await harness.page();
    await openUnit(page);
    await select(page, 'hvac/controller');
    const before = await history();
    await open(page, 'Replace component', 'hvac/controller');
    await dialog(page).getByLabel('Serial number').fill('HVC-MSN-7002');
    await changeSet(page, 'swap from the other aircraft');
    const alert = dialog(page).getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toContain(
        'Conflict: HVAC-CTL-9 serial HVC-MSN-7002 is installed at hvac/controller of twin MSN-7002 (Airbus A320)',
      );
    // the twin is named by serial and product, never by its id
    expect(await alert.textContent()).not.toMatch(/[0-9A-HJKMNP-TV-Z]{26}/);
    await screenshot(page, 'change-conflict');
    // The form stays open with what was typed; nothing was written.
    expect(await dialog(page).getByLabel('Serial number').inputValue()).toBe('HVC-MSN-7002');
    expect(await history()).toHaveLength(before.length);
  });

  it('names the refused field next to its input (400)', async () => {
    const page = await harness.page();
    await openUnit(page);
    await select(page, 'hvac/controller');
    await open(page, 'Remove component', 'hvac/controller');
    await dialog(page).getByLabel('Effective at (UTC)').fill('2020-01-01T00:00:00');
    await changeSet(page, 'paper log, too early');
    const field = dialog(page).getByLabel('Effective at (UTC)');
    await expect.poll(() => field.getAttribute('aria-invalid'), WAIT).toBe('true');
    const message = dialog(page).locator('#change-effectiveAt-error');
    expect(await message.textContent()).toContain('must not be before the twin was built');
    expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain('change-effectiveAt-error');
    await expect.poll(() => focused(page, 'name'), WAIT).toBe('effectiveAt');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count(), WAIT).toBe(0);
    await expect.poll(() => item(page, 'hvac/controller').textContent(), WAIT).toContain('SN HVC-NEW-7');
  });

  it('offers no change to a viewer, nor while replaying a past date; a technician may record', async () => {
    const viewer = await harness.page();
    await openUnit(viewer, 'viewer');
    await select(viewer, 'hvac/controller');
    expect(await viewer.getByRole('heading', { name: 'Record a change' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Replace component' }).count()).toBe(0);

    const technician = await harness.page();
    await openUnit(technician, 'technician');
    await select(technician, 'hvac/controller');
    const actions = technician.getByRole('group', { name: 'Record a change' }).getByRole('button');
    expect(await actions.allTextContents()).toEqual(['Replace component', 'Remove component']);
    await technician.getByLabel('As of (UTC)').fill('2026-01-01T00:00:00');
    await expect
      .poll(() => technician.getByTestId('time-status').textContent())
      .toBe('Configuration as of 2026-01-01 00:00:00 UTC');
    await expect.poll(() => actions.count(), WAIT).toBe(0);
    await technician.getByRole('button', { name: 'Now' }).click();
    await expect.poll(() => actions.count(), WAIT).toBe(2);
  });
});
