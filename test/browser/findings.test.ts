import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violations } from './support/axe';
import {
  type ConsoleHarness,
  newTenant,
  screenshot,
  signIn,
  startConsole,
  VIEWPORTS,
} from './support/console';
import { aircraft, createTwin, roleViewsWithoutAndWith, type SeededTwin } from './support/seed';

/**
 * Conformance findings marked in the tree (issue 15): the README aircraft with an engine twin in
 * `engine-2`, a model for each product, a disallowed controller fitted after a known moment.
 */

let harness: ConsoleHarness;
let tenant: string;
let token: string;
let unit: SeededTwin;
/** A time (to the second) when both models were in force and the controller was still allowed. */
let between: string;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const AIRCRAFT_MODEL = {
  validate: 'warn',
  positions: [
    { path: 'engine-1', mandatory: true, allowed: [{ partNumber: 'CFM56-5B4' }] },
    { path: 'engine-1/fadec', allowed: [{ partNumber: 'FADEC-3' }] },
    { path: 'engine-1/fadec/sw', allowed: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0' }] },
    { path: 'engine-2', allowed: [{ partNumber: 'LEAP-1A' }] },
    { path: 'hvac', allowed: [] },
    { path: 'hvac/controller', allowed: [{ partNumber: 'HVAC-CTL-9' }] },
    // mandatory, and not on this unit at all: marked at hvac, its closest position in the tree
    { path: 'hvac/pack', mandatory: true, allowed: [{ partNumber: 'PACK-7' }] },
    { path: 'cabin', allowed: [] },
  ],
  rules: [],
};

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('finding');
  token = await harness.token(tenant, ['admin'], 'engineer@finding');
  const base = aircraft('MSN-F1');
  unit = await createTwin(harness, token, {
    ...base,
    configuration: [...base.configuration, { position: 'engine-2', component: null }],
  });
  const engine = await createTwin(harness, token, {
    serialNumber: 'ESN-N1',
    product: { partNumber: 'LEAP-1A', name: 'LEAP engine' },
    builtAt: '2024-05-01T08:00:00Z',
    configuration: [
      { position: 'fan', component: { partNumber: 'FAN-X', serialNumber: 'FX1', kind: 'mechanical' } },
    ],
  });
  await harness.call(
    token,
    'POST',
    `/v1/twins/${unit.id}/changes`,
    {
      reason: 'engine 2 fitted',
      operations: [
        {
          op: 'install',
          position: 'engine-2',
          component: { partNumber: 'LEAP-1A', serialNumber: 'ESN-N1', kind: 'mechanical', twinId: engine.id },
        },
      ],
    },
    1,
  );
  await harness.call(token, 'PUT', '/v1/configuration-models/A320-214', AIRCRAFT_MODEL);
  await harness.call(token, 'PUT', '/v1/configuration-models/LEAP-1A', {
    validate: 'warn',
    positions: [{ path: 'fan', allowed: [{ partNumber: 'FAN-Y' }] }],
    rules: [],
  });
  // the console's time field takes seconds: a whole second after the models, a whole second before the swap
  await sleep(1100);
  between = new Date().toISOString().slice(0, 19).replace('T', ' ');
  await sleep(1100);
  await harness.call(
    token,
    'POST',
    `/v1/twins/${unit.id}/changes`,
    {
      reason: 'AOG swap, concession C-12',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-1', serialNumber: 'HVC-7', kind: 'electrical' },
        },
      ],
    },
    2,
  );
});

afterAll(async () => {
  await harness?.stop();
});

const node = (page: Page, path: string) => page.locator(`[role="treeitem"][data-path="${path}"]`);
const markers = (page: Page, path: string) =>
  node(page, path).locator(':scope > .node [data-marker="finding"]').allTextContents();
const select = (page: Page, path: string) => node(page, path).locator(':scope > .node > .slug').click();

async function openUnit(page: Page, role = 'admin') {
  page.setDefaultTimeout(15_000);
  await signIn(page, tenant, role, `${role}@finding`);
  await page.getByRole('link', { name: 'MSN-F1' }).click();
  await page.getByRole('heading', { name: /MSN-F1/ }).waitFor();
}

describe('console: conformance findings in the tree', () => {
  it('marks each node with a finding (code and level), installed twins included, and lists them in the pane', async () => {
    for (const viewport of VIEWPORTS) {
      const page = await harness.page(viewport);
      await openUnit(page);
      await expect.poll(() => markers(page, 'hvac/controller')).toEqual(['part-not-allowed · red']);
      expect(await markers(page, 'engine-2 › fan')).toEqual(['part-not-allowed · red']);
      expect(await markers(page, 'hvac')).toEqual(['missing-mandatory · red']);
      expect(await markers(page, 'engine-1/fadec')).toEqual([]);
      // the selected position's findings, in words
      await select(page, 'hvac/controller');
      const listed = page.getByRole('list', { name: 'Findings at hvac/controller' });
      expect(await listed.textContent()).toContain('part-not-allowed · red');
      expect(await listed.textContent()).toContain('HVAC-CTL-1');
      await select(page, 'hvac');
      expect(await page.getByRole('list', { name: 'Findings at hvac' }).textContent()).toContain(
        'at hvac/pack, not in the tree',
      );
      await select(page, 'engine-2 › fan');
      expect(await page.getByRole('list', { name: 'Findings at engine-2 › fan' }).textContent()).toContain(
        'FAN-X',
      );
      expect(await violations(page)).toEqual([]);
      await screenshot(page, `findings-${viewport.name}`);
      await page.context().close();
    }
  });

  it('replays the markers with asOf: before the swap the controller was allowed', async () => {
    const page = await harness.page();
    await openUnit(page);
    await expect.poll(() => markers(page, 'hvac/controller')).toEqual(['part-not-allowed · red']);
    await page.getByLabel('As of (UTC)').fill(between);
    await expect.poll(() => page.getByTestId('time-status').textContent()).toContain(between);
    await expect.poll(() => markers(page, 'hvac/controller')).toEqual([]);
    // the tree as of then comes with its own read: the markers may clear before it arrives
    await expect.poll(() => node(page, 'hvac/controller').textContent()).toContain('HVAC-CTL-9');
    // what was wrong then still is marked
    expect(await markers(page, 'engine-2 › fan')).toEqual(['part-not-allowed · red']);
    expect(await markers(page, 'hvac')).toEqual(['missing-mandatory · red']);
    await page.getByRole('button', { name: 'Now' }).click();
    await expect.poll(() => markers(page, 'hvac/controller')).toEqual(['part-not-allowed · red']);
  });

  it('shows no findings where a role view or a grant hides conformance, and shows them where it does', async () => {
    await roleViewsWithoutAndWith(harness, token, 'conformance');

    const technician = await harness.page();
    const judged = technician.waitForResponse((response) =>
      response.url().includes(`/v1/twins/${unit.id}/conformance`),
    );
    await openUnit(technician, 'technician');
    expect((await judged).status()).toBe(404);
    await node(technician, 'hvac/controller').waitFor();
    expect(await technician.locator('[data-marker="finding"]').count()).toBe(0);
    // the tab list settles once every read of the page has answered (the 404 hides the tab)
    await expect
      .poll(() => technician.getByRole('tab', { name: 'Conformance', exact: true }).count(), {
        timeout: 15_000,
      })
      .toBe(0);
    await select(technician, 'hvac/controller');
    expect(await technician.getByRole('heading', { name: 'Conformance findings' }).count()).toBe(0);
    expect(await technician.getByRole('alert').count()).toBe(0);

    const viewer = await harness.page();
    await openUnit(viewer, 'viewer');
    await expect.poll(() => markers(viewer, 'hvac/controller')).toEqual(['part-not-allowed · red']);
    expect(await viewer.getByRole('tab', { name: 'Conformance' }).count()).toBe(1);
    await harness.call(token, 'PUT', '/v1/role-views/technician', { viewId: null });
    await harness.call(token, 'PUT', '/v1/role-views/viewer', { viewId: null });

    // a grantee (no conformance read on shared twins): the shared tree, no findings, no broken panel
    const grantee = newTenant('mro');
    const view = await harness.call<{ id: string }>(token, 'POST', '/v1/views', {
      name: 'HVAC',
      positions: ['hvac'],
    });
    await harness.call(token, 'POST', '/v1/grants', {
      grantee,
      viewId: view.id,
      twins: { ids: [unit.id] },
      purpose: 'contractor',
      permissions: ['read'],
    });
    const page = await harness.page();
    page.setDefaultTimeout(15_000);
    await signIn(page, grantee, 'technician', `tech@${grantee}`);
    const sharedJudged = page.waitForResponse((response) => response.url().includes('/conformance'));
    await page.goto(`/shared/${tenant}/${unit.id}`);
    expect((await sharedJudged).status()).toBe(404);
    await node(page, 'hvac/controller').waitFor();
    expect(await page.locator('[data-marker="finding"]').count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Conformance' }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await violations(page)).toEqual([]);
  });
});
