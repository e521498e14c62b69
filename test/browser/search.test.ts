import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin, type SeededTwin } from './support/seed';

/** The header's search box: hits as the user types, each opening its twin or component. */

let harness: ConsoleHarness;
let tenant: string;
let unit: SeededTwin;

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('find');
  const token = await harness.token(tenant, ['admin'], 'planner@find');
  unit = await createTwin(harness, token, aircraft('MSN-7001'));
  await createTwin(harness, token, aircraft('MSN-7002', 'HAM'));
});

afterAll(async () => {
  await harness?.stop();
});

describe('console: the search box', () => {
  it('finds a twin by a serial prefix and opens it', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer', 'sam@find');
    const box = page.getByRole('search').getByRole('searchbox');
    await box.fill('msn-700');
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    await expect.poll(() => results.getByRole('link', { name: /^twin MSN-700/ }).count()).toBe(2);
    await screenshot(page, 'search-box');
    await results.getByRole('link', { name: /^twin MSN-7001/ }).click();
    await page.getByRole('heading', { name: /MSN-7001/ }).waitFor();
    expect(page.url()).toContain(`/twins/${unit.id}`);
  });

  it('finds a component by serial, says where it is installed and opens its trace', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer', 'sam@find');
    await page.getByRole('search').getByRole('searchbox').fill('HVC-MSN-7002');
    const hit = page
      .getByRole('list', { name: 'Search results' })
      .getByRole('link', { name: /HVC-MSN-7002/ });
    await hit.waitFor();
    expect(await hit.textContent()).toContain('at hvac/controller');
    await hit.click();
    await expect.poll(() => page.url()).toContain('/components/HVAC-CTL-9/HVC-MSN-7002');
  });

  it('says when nothing matches', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer', 'sam@find');
    await page.getByRole('search').getByRole('searchbox').fill('no-such-serial');
    await page.getByText('Nothing found for “no-such-serial”').waitFor();
  });
});
