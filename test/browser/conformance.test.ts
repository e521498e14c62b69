import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;
let token: string;
let unit: SeededTwin;

/** Every position of the seeded aircraft allowed as built, but the HVAC controller only as HVAC-CTL-10. */
const MODEL = {
  validate: 'warn',
  positions: [
    { path: 'engine-1', mandatory: true, allowed: [{ partNumber: 'CFM56-5B4' }] },
    { path: 'engine-1/fadec', allowed: [{ partNumber: 'FADEC-3' }] },
    { path: 'engine-1/fadec/sw', allowed: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0' }] },
    { path: 'hvac', allowed: [] },
    { path: 'hvac/controller', allowed: [{ partNumber: 'HVAC-CTL-10' }] },
    { path: 'cabin', allowed: [] },
  ],
  rules: [],
};

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('conform');
  token = await harness.token(tenant, ['admin'], 'engineer@conform');
  unit = await createTwin(harness, token, aircraft('MSN-7001'));
  await harness.call(token, 'PUT', '/v1/configuration-models/A320-214', MODEL);
});

afterAll(async () => {
  await harness?.stop();
});

describe('console: conformance', () => {
  it('shows the unit red with its finding, which selects the position in the tree', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'admin', 'engineer@conform');
    await page.getByRole('link', { name: 'MSN-7001' }).click();
    await page.getByRole('tab', { name: 'Conformance' }).click();
    await page.getByRole('heading', { name: 'Conformance' }).waitFor();
    await expect.poll(() => page.getByTestId('conformance-status').textContent()).toBe('red');
    const findings = page.getByRole('list', { name: 'Findings' });
    expect(await findings.textContent()).toContain('part-not-allowed');
    await findings.getByRole('button', { name: 'hvac/controller' }).click();
    await expect
      .poll(() =>
        page.locator('[role="treeitem"][data-path="hvac/controller"]').getAttribute('aria-selected'),
      )
      .toBe('true');
    await screenshot(page, 'conformance');
    expect(unit.id).toBeTruthy();
  });

  it('edits the model: a new version allowing the controller turns the unit green', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'admin', 'engineer@conform');
    await page.getByRole('link', { name: 'MSN-7001' }).click();
    await page.getByRole('tab', { name: 'Conformance' }).click();
    await page.getByText('Configuration model of A320-214').click();
    await expect.poll(() => page.getByTestId('model-version').textContent()).toContain('Version 1');
    const allowing = {
      ...MODEL,
      positions: MODEL.positions.map((position) =>
        position.path === 'hvac/controller'
          ? { ...position, allowed: [{ partNumber: 'HVAC-CTL-9' }] }
          : position,
      ),
    };
    await page.getByLabel('Model (JSON: positions, rules, validate)').fill(JSON.stringify(allowing));
    await page.getByRole('button', { name: 'Store new version' }).click();
    await page.getByText('Version 2 stored').waitFor();
    // the panel reads the unit again once the page is reloaded (a change or a new time reloads it too)
    await page.reload();
    await page.getByRole('tab', { name: 'Conformance' }).click();
    await expect
      .poll(() => page.getByTestId('conformance-status').textContent(), { timeout: 10_000 })
      .toBe('green');
  });
});
