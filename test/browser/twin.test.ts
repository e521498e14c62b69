import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;
let token: string;
let unit: SeededTwin;
let spare: SeededTwin;
/** Record time after the work order and before the back-dated correction, to the second. */
let beforeCorrection: string;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('acme');
  token = await harness.token(tenant, ['admin'], 'planner@acme');
  unit = await createTwin(harness, token, aircraft('MSN-3001'));
  spare = await createTwin(harness, token, aircraft('MSN-3002', 'HAM'));
  await harness.call(
    token,
    'POST',
    `/v1/twins/${unit.id}/changes`,
    {
      reason: 'HVAC controller failure; FADEC SB 73-0042',
      workOrder: 'WO-2026-0815',
      effectiveAt: '2026-03-05T10:00:00Z',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HVC-NEW-1', kind: 'electrical' },
        },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      ],
    },
    1,
  );
  await sleep(1000);
  beforeCorrection = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().slice(0, 19);
  await sleep(1200);
  await harness.call(
    token,
    'POST',
    `/v1/twins/${unit.id}/changes`,
    {
      reason: 'correction from the paper log',
      effectiveAt: '2026-03-01T00:00:00Z',
      operations: [{ op: 'update', position: 'engine-1/fadec', revision: 'D' }],
    },
    2,
  );
  // The old controller goes on to the other unit.
  await harness.call(
    token,
    'POST',
    `/v1/twins/${spare.id}/changes`,
    {
      reason: 'spare fitted',
      effectiveAt: '2026-04-01T00:00:00Z',
      operations: [
        {
          op: 'install',
          position: 'cabin',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HVC-MSN-3001', kind: 'electrical' },
        },
      ],
    },
    1,
  );
});

afterAll(async () => {
  await harness?.stop();
});

const tree = (page: Page) => page.getByRole('tree');
const item = (page: Page, path: string) => page.locator(`[role="treeitem"][data-path="${path}"]`);
const focusedPath = (page: Page) =>
  page.evaluate(`document.activeElement && document.activeElement.getAttribute('data-path')`);

async function openUnit(page: Page) {
  await signIn(page, tenant, 'admin', 'planner@acme');
  await page.getByRole('link', { name: 'MSN-3001' }).click();
  await page.getByRole('heading', { name: /MSN-3001/ }).waitFor();
  await tree(page).waitFor();
}

describe('console: a twin', () => {
  it('shows the configuration tree with kind badges, serials, software versions and nested positions', async () => {
    const page = await harness.page();
    await openUnit(page);
    expect(await page.getByRole('treeitem').count()).toBe(6);
    const fadec = item(page, 'engine-1/fadec');
    expect(await fadec.getAttribute('aria-level')).toBe('2');
    expect(await fadec.locator('> .node').textContent()).toContain('electricalFADEC-3rev DSN FDC-MSN-3001');
    const sw = item(page, 'engine-1/fadec/sw').locator('> .node');
    expect(await sw.locator('.badge').textContent()).toBe('software');
    expect(await sw.locator('.version').textContent()).toBe('5.3.0');
    expect(await item(page, 'hvac/controller').textContent()).toContain('SN HVC-NEW-1');
    expect(await item(page, 'cabin').textContent()).toContain('empty');
    // Collapse and expand with the mouse.
    await item(page, 'engine-1').locator('> .node .twisty').click();
    expect(await item(page, 'engine-1').getAttribute('aria-expanded')).toBe('false');
    expect(await item(page, 'engine-1/fadec').count()).toBe(0);
    await item(page, 'engine-1').locator('> .node .twisty').click();
    expect(await item(page, 'engine-1/fadec/sw').count()).toBe(1);
    await screenshot(page, 'twin-tree');
  });

  it('moves through the tree with the keyboard (arrows, Home, End) as an ARIA tree', async () => {
    const page = await harness.page();
    await openUnit(page);
    await page.getByRole('treeitem', { selected: true }).focus();
    await expect.poll(() => focusedPath(page)).toBe('engine-1');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedPath(page)).toBe('engine-1/fadec');
    expect(await item(page, 'engine-1/fadec').getAttribute('aria-selected')).toBe('true');
    await page.getByRole('heading', { name: 'Position engine-1/fadec' }).waitFor();
    await page.keyboard.press('ArrowLeft'); // close fadec
    await expect.poll(() => item(page, 'engine-1/fadec').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowDown'); // sw is hidden: next is hvac
    await expect.poll(() => focusedPath(page)).toBe('hvac');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight'); // open fadec again
    await page.keyboard.press('ArrowRight'); // to its first child
    await expect.poll(() => focusedPath(page)).toBe('engine-1/fadec/sw');
    await page.keyboard.press('ArrowLeft'); // a leaf: to the parent
    await expect.poll(() => focusedPath(page)).toBe('engine-1/fadec');
    await page.keyboard.press('End');
    await expect.poll(() => focusedPath(page)).toBe('cabin');
    await page.keyboard.press('Home');
    await expect.poll(() => focusedPath(page)).toBe('engine-1');
    await page.keyboard.press('Enter'); // toggles
    await expect.poll(() => item(page, 'engine-1').getAttribute('aria-expanded')).toBe('false');
    // One tab stop: only the focused item is tabbable.
    expect(await page.locator('[role="treeitem"][tabindex="0"]').count()).toBe(1);
  });

  it('replays the configuration as of a date, and as the system knew it at a record time', async () => {
    const page = await harness.page();
    await openUnit(page);
    await page.getByLabel('As of (UTC)').fill('2026-03-02T00:00:00');
    await expect
      .poll(() => page.getByTestId('time-status').textContent())
      .toBe('Configuration as of 2026-03-02 00:00:00 UTC');
    await expect.poll(() => item(page, 'hvac/controller').textContent()).toContain('SN HVC-MSN-3001');
    expect(await item(page, 'engine-1/fadec/sw').locator('.version').textContent()).toBe('5.2.1');
    // The back-dated correction is known now...
    expect(await item(page, 'engine-1/fadec').locator('> .node').textContent()).toContain('rev D');
    // ...but not at a record time before it was recorded.
    await page.getByRole('switch', { name: 'As the system knew it at…' }).check();
    await page.getByLabel('Known at (UTC)').fill(beforeCorrection);
    await expect.poll(() => item(page, 'engine-1/fadec').locator('> .node').textContent()).toContain('rev C');
    expect(await page.getByTestId('time-status').textContent()).toContain(', as known at');
    await screenshot(page, 'twin-as-of');
    await page.getByRole('button', { name: 'Now' }).click();
    await expect.poll(() => item(page, 'hvac/controller').textContent()).toContain('SN HVC-NEW-1');
  });

  it('shows the history as a timeline and the diff between a baseline and now', async () => {
    const page = await harness.page();
    await openUnit(page);
    await page.getByRole('tab', { name: 'History' }).click();
    const timeline = page.getByRole('list', { name: 'Change sets, latest effective first' });
    await timeline.getByText('correction from the paper log').waitFor();
    const entries = timeline.locator('> li');
    expect(await entries.count()).toBe(3);
    // ordered by effective time: the work order (effective 03-05) above the correction (03-01)
    const work = entries.nth(0);
    expect(await entries.nth(1).textContent()).toContain('correction from the paper log');
    expect(await work.textContent()).toContain('HVAC controller failure; FADEC SB 73-0042');
    expect(await work.textContent()).toContain('WO-2026-0815');
    expect(await work.textContent()).toContain('effective 2026-03-05 10:00:00 UTC');
    expect(await work.textContent()).toContain('by planner@acme');
    // before → after: which serial came off
    await expect
      .poll(() => work.textContent())
      .toContain('replace hvac/controller: HVAC-CTL-9 SN HVC-MSN-3001 → HVAC-CTL-9 SN HVC-NEW-1');
    expect(await work.textContent()).toContain('update engine-1/fadec/sw: software 5.2.1 → 5.3.0');

    await page.getByRole('tab', { name: 'Compare' }).click();

    const save = page.getByRole('form', { name: 'Save a baseline' });
    await save.getByLabel('Baseline name').fill('2026-Q1');
    await save.getByLabel('At (UTC, default now)').fill('2026-01-01T00:00');
    await save.getByRole('button', { name: 'Save baseline' }).click();
    await page.getByRole('status').filter({ hasText: 'Baseline "2026-Q1" saved.' }).waitFor();
    const compare = page.getByRole('form', { name: 'Compare two dates or baselines' });
    await compare.getByLabel('From', { exact: true }).selectOption({ label: 'baseline 2026-Q1' });
    await compare.getByRole('button', { name: 'Compare' }).click();
    const diff = page.getByTestId('diff');
    await diff.waitFor();
    expect(await diff.textContent()).toContain(
      'hvac/controller: HVAC-CTL-9 SN HVC-MSN-3001 → HVAC-CTL-9 SN HVC-NEW-1',
    );
    expect(await diff.textContent()).toContain(
      'engine-1/fadec/sw: FADEC-SW software 5.2.1 → FADEC-SW software 5.3.0',
    );
    await compare.getByLabel('From', { exact: true }).selectOption('time');
    await compare.getByLabel('From time (UTC)').fill('2026-03-06T00:00');
    await compare.getByRole('button', { name: 'Compare' }).click();
    await expect.poll(() => diff.textContent()).toBe('No differences.');
    await screenshot(page, 'twin-history-diff');
  });

  it('follows a serial through every unit it sat in', async () => {
    const page = await harness.page();
    await openUnit(page);
    await page.getByLabel('As of (UTC)').fill('2026-03-02T00:00:00');
    await page.getByRole('link', { name: 'SN HVC-MSN-3001: follow this component' }).click();
    await page.getByRole('heading', { name: 'HVAC-CTL-9 SN HVC-MSN-3001' }).waitFor();
    const rows = page.locator('table.list tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.nth(0).textContent())?.replace(/\s+/g, ' ')).toContain(
      'MSN-3001hvac/controller2024-05-01 08:00:00 UTC2026-03-05 10:00:00 UTC',
    );
    expect(await rows.nth(1).textContent()).toContain('MSN-3002cabin2026-04-01 00:00:00 UTCinstalled now');
    await screenshot(page, 'component-trace');
    await rows.nth(1).getByRole('link', { name: 'MSN-3002' }).click();
    await page.getByRole('heading', { name: /MSN-3002/ }).waitFor();
  });

  it('says "someone changed this unit; reload" on a stale edit, and not found for an unknown twin', async () => {
    const page = await harness.page();
    await openUnit(page);
    const twin = await harness.call<{ version: number }>(token, 'GET', `/v1/twins/${unit.id}`);
    await harness.call(token, 'PATCH', `/v1/twins/${unit.id}`, { site: 'MUC' }, twin.version);
    const edit = page.getByRole('form', { name: 'Edit site' });
    await edit.getByLabel('Site').fill('HAM');
    await edit.getByRole('button', { name: 'Save site' }).click();
    const alert = edit.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Someone changed this unit; reload.');
    await screenshot(page, 'twin-stale-edit');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByTestId('site').textContent()).toBe('MUC');

    await page.goto('/twins/01J00000000000000000000000');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Not found: it does not exist, or it is not shared with you.' })
      .waitFor();
  });

  it('is usable at a tablet width (820×1180): no sideways scrolling, the details pane beside the tree', async () => {
    const page = await harness.page({ width: 820, height: 1180 });
    await openUnit(page);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
    const treeBox = await tree(page).boundingBox();
    const panelBox = await page.getByRole('complementary').boundingBox();
    expect(panelBox!.x).toBeGreaterThanOrEqual(treeBox!.x + treeBox!.width - 1);
    expect(panelBox!.x + panelBox!.width).toBeLessThanOrEqual(820);
    await screenshot(page, 'twin-tablet');
  });
  it('shows an installed twin (systems of systems) inside the tree, with its own positions', async () => {
    const engine = await createTwin(harness, token, {
      serialNumber: 'ESN-NESTED-9',
      product: { partNumber: 'PW-127', name: 'Turboprop engine' },
      builtAt: '2023-01-01T00:00:00Z',
      configuration: [
        {
          position: 'gearbox',
          component: { partNumber: 'GBX-2', serialNumber: 'GBX-NESTED-1', kind: 'mechanical' },
        },
      ],
    });
    await harness.call(
      token,
      'POST',
      `/v1/twins/${spare.id}/changes`,
      {
        reason: 'engine fitted',
        operations: [
          { op: 'add-position', position: 'engine-3' },
          {
            op: 'install',
            position: 'engine-3',
            component: {
              partNumber: 'PW-127',
              serialNumber: 'ESN-NESTED-9',
              kind: 'mechanical',
              twinId: engine.id,
            },
          },
        ],
      },
      2,
    );
    const page = await harness.page();
    await signIn(page, tenant, 'admin', 'planner@acme');
    await page.getByRole('link', { name: 'MSN-3002' }).click();
    await page.getByRole('heading', { name: /MSN-3002/ }).waitFor();
    const nested = item(page, 'engine-3 › gearbox');
    await nested.waitFor();
    expect(await nested.getAttribute('aria-level')).toBe('2');
    expect(await nested.textContent()).toContain('GBX-NESTED-1');
    expect(await item(page, 'engine-3').locator('> .node').textContent()).toContain('twin');
    await nested.locator('> .node').click();
    expect(await page.getByRole('link', { name: /Work package for/ }).count()).toBe(0);
    await screenshot(page, 'twin-nested');
  });
});
