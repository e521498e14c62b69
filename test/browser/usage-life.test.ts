import type { Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
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
import { createTwin, roleViewsWithoutAndWith, type SeededTwin } from './support/seed';

/**
 * Usage and life in the console (issue 14): an aircraft with an engine twin installed in it, three
 * life-limited parts (one near its limit, one without its past), a flight log; real API, real data.
 */

let harness: ConsoleHarness;
let tenant: string;
let token: string;
let aircraft: SeededTwin;
let engine: SeededTwin;

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('life');
  token = await harness.token(tenant, ['admin'], 'planner@life');
  const call = (method: string, path: string, body?: unknown, ifMatch?: number) =>
    harness.call(token, method, path, body, ifMatch);
  await call('PUT', '/v1/usage-parameters/FH', { unit: 'h' });
  await call('PUT', '/v1/usage-parameters/FC', { unit: 'cycles' });
  engine = await createTwin(harness, token, {
    serialNumber: 'ESN-L1',
    product: { partNumber: 'CFM56-5B4', name: 'CFM56 engine' },
    builtAt: '2024-01-01T00:00:00Z',
    configuration: [
      { position: 'hpt-disk', component: { partNumber: 'HPT-1', serialNumber: 'D1', kind: 'mechanical' } },
      { position: 'fan-disk', component: { partNumber: 'FAN-1', serialNumber: 'F1', kind: 'mechanical' } },
    ],
  });
  aircraft = await createTwin(harness, token, {
    serialNumber: 'MSN-L1',
    product: { partNumber: 'A320-214', name: 'Airbus A320' },
    builtAt: '2024-01-01T00:00:00Z',
    configuration: [{ position: 'engine-1' }, { position: 'apu' }],
  });
  await call(
    'POST',
    `/v1/twins/${aircraft.id}/changes`,
    {
      reason: 'engine and APU installed',
      effectiveAt: '2024-02-01T00:00:00Z',
      operations: [
        {
          op: 'install',
          position: 'engine-1',
          component: {
            partNumber: 'CFM56-5B4',
            serialNumber: 'ESN-L1',
            kind: 'mechanical',
            twinId: engine.id,
          },
        },
        // from the pool, with no record of its past: its trace back to birth has a hole
        {
          op: 'install',
          position: 'apu',
          component: { partNumber: 'APU-1', serialNumber: 'AP-9', kind: 'mechanical' },
        },
      ],
    },
    1,
  );
  await call('POST', `/v1/twins/${aircraft.id}/usage`, {
    records: [
      { parameter: 'FH', at: '2024-03-01T10:00:00Z', delta: 5, ref: 'AC100' },
      { parameter: 'FC', at: '2024-03-01T10:00:00Z', delta: 2, ref: 'AC100' },
      { parameter: 'FH', at: '2024-04-01T10:00:00Z', delta: 7, ref: 'AC200' },
      { parameter: 'FC', at: '2024-04-01T10:00:00Z', delta: 10, ref: 'AC200' },
    ],
  });
  const limit = (parameter: string, value: number) => [
    { parameter, limit: value, effectiveFrom: '2000-01-01T00:00:00Z' },
  ];
  await call('PUT', '/v1/parts/HPT-1', { llp: true, lifeLimits: limit('FC', 20), alertAt: { FC: 10 } });
  await call('PUT', '/v1/parts/FAN-1', { llp: true, lifeLimits: limit('FC', 1000) });
  await call('PUT', '/v1/parts/APU-1', { llp: true, lifeLimits: [...limit('FC', 500), ...limit('FH', 900)] });
});

afterAll(async () => {
  await harness?.stop();
});

async function openAircraft(page: Page, role = 'admin') {
  // a step that cannot happen fails here, named, instead of at the test's timeout
  page.setDefaultTimeout(15_000);
  await signIn(page, tenant, role, `${role}@life`);
  await page.getByRole('link', { name: 'MSN-L1' }).click();
  await page.getByRole('heading', { name: /MSN-L1/ }).waitFor();
}

/** The console's JavaScript as production builds it (vitest's NODE_ENV=test keeps debug code in). */
async function productionBundleBytes(): Promise<number> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const output = (await build({
      configFile: 'web/vite.config.ts',
      logLevel: 'warn',
      build: { write: false },
    })) as Rollup.RollupOutput;
    return output.output
      .filter((chunk): chunk is Rollup.OutputChunk => chunk.type === 'chunk')
      .reduce((sum, chunk) => sum + Buffer.byteLength(chunk.code), 0);
  } finally {
    process.env.NODE_ENV = before;
  }
}

/** Selects a position by its slug (the node's middle may be its serial's link, which leaves the page). */
const select = (page: Page, path: string) =>
  page.locator(`[role="treeitem"][data-path="${path}"] > .node > .slug`).click();

async function asOf(page: Page, time: string) {
  await page.getByLabel('As of (UTC)').fill(time);
  await expect.poll(() => page.getByTestId('time-status').textContent()).toContain(time);
}

const rowText = (page: Page, testId: string, parameter: string) =>
  page.getByTestId(testId).locator(`tr[data-parameter="${parameter}"]`).textContent();

describe('console: usage and life', () => {
  it('shows the LLP sheet with status in words, sorted by remaining, nested twins included, at any time', async () => {
    for (const viewport of VIEWPORTS) {
      const page = await harness.page(viewport);
      await openAircraft(page);
      await page.getByRole('tab', { name: 'Life' }).click();
      const sheet = page.getByTestId('llp-sheet');
      await sheet.waitFor();
      // least remaining first: HPT disk (8 cycles, alert), APU (unknown: at most 488), fan disk (988)
      const serials = () =>
        sheet.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.serial));
      await expect.poll(serials).toEqual(['D1', 'AP-9', 'F1']);
      const hpt = sheet.locator('tr[data-serial="D1"]');
      expect(await hpt.textContent()).toContain('alert: near its limit');
      expect(await hpt.textContent()).toContain('engine-1 › hpt-disk');
      expect(await hpt.getByTestId('remaining').textContent()).toBe('8 cycles');
      const apu = sheet.locator('tr[data-serial="AP-9"]');
      expect(await apu.textContent()).toContain('unknown: usage incomplete');
      expect(await apu.getByTestId('remaining').textContent()).toBe('at most 488 cycles');
      expect(await apu.textContent()).toContain('FH: at most 888 h left of 900 h (unknown)');
      expect(await sheet.locator('tr[data-serial="F1"]').textContent()).toContain('ok');
      await page.getByRole('button', { name: /^Remaining, sorted least first/ }).click();
      await expect.poll(serials).toEqual(['F1', 'AP-9', 'D1']);
      expect(await sheet.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
      // the unit's own usage: totals and recent records, newest first
      expect(await rowText(page, 'twin-usage', 'FH')).toContain('12 h');
      expect(await rowText(page, 'twin-usage', 'FC')).toContain('12 cycles');
      const records = page.getByTestId('usage-records').locator('tbody tr');
      expect(await records.count()).toBe(4);
      expect(await records.first().textContent()).toContain('AC200');
      expect(await violations(page)).toEqual([]);
      await screenshot(page, `life-tab-${viewport.name}`);
      // as of mid-March only the first flight counts: the HPT disk has 18 cycles left, ok
      await asOf(page, '2024-03-15 00:00:00');
      await expect.poll(() => hpt.getByTestId('remaining').textContent()).toBe('18 cycles');
      expect(await hpt.getAttribute('data-status')).toBe('ok');
      expect(await rowText(page, 'twin-usage', 'FH')).toContain('5 h');
      // a position selects itself in the tree
      await sheet.getByRole('button', { name: 'engine-1 › hpt-disk' }).click();
      await expect
        .poll(() =>
          page.locator('[role="treeitem"][data-path="engine-1 › hpt-disk"]').getAttribute('aria-selected'),
        )
        .toBe('true');
      await page.context().close();
    }
    // the console stays within its size budget: minified as `npm run build:web` builds it
    const bytes = await productionBundleBytes();
    console.log(`console bundle: ${(bytes / 1024).toFixed(1)} KB minified`);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
  });

  it('shows a serial’s TSN/TSO/TSI, stays and life in the pane, an incomplete trace with its gaps', async () => {
    for (const viewport of VIEWPORTS) {
      const page = await harness.page(viewport);
      await openAircraft(page);
      await select(page, 'engine-1 › hpt-disk');
      const pane = page.getByTestId('usage-life');
      await expect.poll(() => rowText(page, 'component-usage', 'FC')).toContain('12 cycles');
      const fc = await rowText(page, 'component-usage', 'FC');
      expect(fc).toContain('complete');
      expect(fc).not.toContain('incomplete');
      expect(fc).not.toContain('at least');
      // born in the engine's as-built record: one stay, in the engine twin
      const stays = pane.getByTestId('stays').locator('li');
      expect(await stays.count()).toBe(1);
      await expect.poll(() => stays.first().textContent()).toContain('ESN-L1');
      expect(await stays.first().textContent()).toContain('hpt-disk');
      expect(await stays.first().textContent()).toContain('FC 12 cycles');
      expect(await pane.getByTestId('life-limits').textContent()).toContain('FC (governing)');
      // the APU came without its past: never a silent total, the gap named
      await select(page, 'apu');
      await expect.poll(() => rowText(page, 'component-usage', 'FH')).toContain('at least 12 h');
      expect(await rowText(page, 'component-usage', 'FH')).toContain('incomplete: 1 gap');
      const gaps = await page.getByRole('list', { name: 'Gaps in the trace' }).textContent();
      expect(gaps).toContain('FH unknown before 2024-02-01 00:00:00 UTC');
      expect(await page.getByTestId('life-limits').textContent()).toContain('at least 12 of 500 cycles');
      expect(await rowText(page, 'component-usage', 'FH')).toContain('12 h'); // TSI, since installation
      expect(await violations(page)).toEqual([]);
      await screenshot(page, `usage-pane-${viewport.name}`);
      // the one time control: as of mid-March the APU had flown 5 h
      await asOf(page, '2024-03-15 00:00:00');
      await expect.poll(() => rowText(page, 'component-usage', 'FH')).toContain('at least 5 h');
      // before it was installed the position was empty: nothing to show
      await asOf(page, '2024-01-15 00:00:00');
      await page.getByText('No component installed.').waitFor();
      expect(await page.getByTestId('usage-life').count()).toBe(0);
      await page.context().close();
    }
  });

  it('shows usage and life on the component page, with its own time control', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'admin', 'planner@life');
    await page.goto('/components/HPT-1/D1?asOf=2024-03-15T00:00:00.000Z');
    await page.getByRole('heading', { name: 'Usage and life' }).waitFor();
    await expect.poll(() => rowText(page, 'component-usage', 'FC')).toContain('2 cycles');
    expect(await page.getByTestId('time-status').textContent()).toContain('2024-03-15 00:00:00');
    await page.getByRole('button', { name: 'Now' }).click();
    await expect.poll(() => rowText(page, 'component-usage', 'FC')).toContain('12 cycles');
    expect(await page.getByTestId('life-limits').textContent()).toContain('alert: near its limit');
    expect(await violations(page)).toEqual([]);
  });

  it('leaves usage and life out where the role view does not show them, and shows them where it does', async () => {
    await roleViewsWithoutAndWith(harness, token, 'usage');

    const technician = await harness.page();
    const answer = (page: Page, part: string) =>
      page.waitForResponse((response) => response.url().includes(part));
    const sheetRead = answer(technician, '/llp-status');
    await openAircraft(technician, 'technician');
    expect((await sheetRead).status()).toBe(404);
    const lifeRead = answer(technician, '/v1/components/APU-1/AP-9/life');
    await select(technician, 'apu');
    expect((await lifeRead).status()).toBe(404);
    await expect.poll(() => technician.getByTestId('usage-life').count()).toBe(0);
    expect(await technician.getByRole('tab', { name: 'Life' }).count()).toBe(0);
    expect(await technician.getByRole('alert').count()).toBe(0);

    const viewer = await harness.page();
    await openAircraft(viewer, 'viewer');
    await viewer.getByRole('tab', { name: 'Life' }).click();
    await expect.poll(() => viewer.getByTestId('llp-sheet').locator('tbody tr').count()).toBe(3);
    await viewer.getByRole('tab', { name: 'Configuration' }).click();
    await select(viewer, 'apu');
    await expect.poll(() => viewer.getByTestId('usage-life').count()).toBe(1);
    await harness.call(token, 'PUT', '/v1/role-views/technician', { viewId: null });
    await harness.call(token, 'PUT', '/v1/role-views/viewer', { viewId: null });
  });

  it('shows a grantee the life remaining its grant allows in the work package, and nothing where it does not', async () => {
    const grantee = newTenant('mro');
    const grant = async (name: string, usage: boolean) => {
      const view = await harness.call<{ id: string }>(token, 'POST', '/v1/views', {
        name,
        positions: ['engine-1', 'apu'],
        ...(usage ? { usage: true } : {}),
      });
      return harness.call<{ id: string }>(token, 'POST', '/v1/grants', {
        grantee,
        viewId: view.id,
        twins: { ids: [aircraft.id] },
        purpose: 'contractor',
        permissions: ['read'],
      });
    };
    const withUsage = await grant('APU shop', true);
    const page = await harness.page();
    await signIn(page, grantee, 'technician', `tech@${grantee}`);
    await page.goto(`/shared/${tenant}/${aircraft.id}/work-package?position=apu`);
    await page.getByRole('heading', { name: 'Life remaining' }).waitFor();
    const lives = page.getByTestId('life-remaining');
    expect(await lives.textContent()).toContain('AP-9');
    expect(await lives.textContent()).toContain('unknown: usage incomplete');
    expect(await violations(page)).toEqual([]);
    // the same unit through a grant without usage: the section is not there at all
    await harness.call(token, 'DELETE', `/v1/grants/${withUsage.id}`);
    await grant('APU shop, no usage', false);
    await page.reload();
    await page.getByRole('heading', { name: /Work package/ }).waitFor();
    expect(await page.getByRole('heading', { name: 'Life remaining' }).count()).toBe(0);
    // and the shared twin shows no Life tab and no broken panel
    const sheetRead = page.waitForResponse((response) => response.url().includes('/llp-status'));
    await page.goto(`/shared/${tenant}/${aircraft.id}`);
    await page.getByRole('heading', { name: /MSN-L1/ }).waitFor();
    expect((await sheetRead).status()).toBe(404);
    expect(await page.getByRole('tab', { name: 'Life' }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(engine.id).toBeTruthy();
  });
});
