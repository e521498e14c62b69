import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violations } from './support/axe';
import { type ConsoleHarness, newTenant, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;
let unit: SeededTwin;

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('acme');
  unit = await createTwin(harness, await harness.token(tenant, ['admin']), aircraft('MSN-6001'));
});

afterAll(async () => {
  await harness?.stop();
});

describe('console: accessibility', () => {
  it('has no WCAG 2.1 A/AA violations on sign-in, the twin list, a twin, a work package and the admin pages', async () => {
    const page = await harness.page();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to twinthread' }).waitFor();
    expect(await violations(page)).toEqual([]);
    await signIn(page, tenant, 'admin');
    await page.locator('table.list tbody tr').first().waitFor();
    expect(await violations(page)).toEqual([]);
    const pages: [string, string][] = [
      [`/twins/${unit.id}`, 'Position engine-1'],
      [`/twins/${unit.id}?tab=history`, 'History'],
      [`/twins/${unit.id}?tab=thread`, 'Thread'],
      [`/twins/${unit.id}?tab=inspections`, 'Inspections'],
      [`/twins/${unit.id}?tab=compare`, 'Compare'],
      [`/twins/${unit.id}/work-package?position=engine-1`, 'Open discrepancies'],
      ['/admin', 'Who sees what'],
      ['/impact', 'Fleet impact'],
      ['/installed-base', 'Installed base'],
      ['/shared', 'Shared with us'],
    ];
    for (const [path, heading] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      expect({ path, violations: await violations(page) }).toEqual({ path, violations: [] });
    }
  });

  it('has none in a change form (a modal dialog), nor when the API refuses a field in it', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'engineer');
    await page.goto(`/twins/${unit.id}`);
    await page.locator('[role="treeitem"][data-path="hvac/controller"] > .node .slug').click();
    await page
      .getByRole('group', { name: 'Record a change' })
      .getByRole('button', { name: 'Replace component' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Replace component at hvac/controller' });
    await dialog.waitFor();
    expect(await violations(page)).toEqual([]);
    await dialog.getByLabel('Reason').fill('too early');
    await dialog.getByLabel('Effective at (UTC)').fill('2020-01-01T00:00:00');
    await dialog.getByRole('button', { name: 'Record change' }).click();
    await dialog.locator('#change-effectiveAt-error').waitFor();
    expect(await violations(page)).toEqual([]);
  });
});
