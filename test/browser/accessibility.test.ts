import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

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

interface Violation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** WCAG 2.1 A and AA rules of axe-core (labels, names, roles, contrast, …) on what is on screen. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations)`,
  )) as Violation[];
  return found.map(
    (item) => `${item.id}: ${item.help} (${item.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}

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
      [`/twins/${unit.id}`, 'Thread'],
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
});
