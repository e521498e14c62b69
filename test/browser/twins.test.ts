import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('acme');
  const token = await harness.token(tenant, ['admin']);
  await createTwin(harness, token, aircraft('MSN-1001', 'TLS'));
  await createTwin(harness, token, aircraft('MSN-1002', 'HAM'));
  const other = await createTwin(harness, token, {
    ...aircraft('MSN-2001', 'HAM'),
    product: { partNumber: 'A321-211', name: 'Airbus A321' },
  });
  await harness.call(
    token,
    'POST',
    `/v1/twins/${other.id}/changes`,
    {
      reason: 'delivery',
      operations: [{ op: 'lifecycle', to: 'delivered' }],
    },
    other.version,
  );
});

afterAll(async () => {
  await harness?.stop();
});

const serials = async (page: Page) =>
  (await page.locator('table.list tbody tr td:first-child').allTextContents()).map((text) => text.trim());

describe('console: sign-in and twins', () => {
  it('serves the console at / and signs in with a tenant, role and user picked locally', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer', 'vera@acme');
    await expect.poll(() => page.getByTestId('who').textContent()).toBe(`${tenant} · viewer · vera@acme`);
    // The token stays in this tab: a reload keeps the session, a new context has none.
    await page.reload();
    await page.getByTestId('who').waitFor();
    const fresh = await harness.page();
    await fresh.goto('/twins');
    await fresh.getByRole('heading', { name: 'Sign in to twinthread' }).waitFor();
  });

  it('lists twins and filters them by serial, product, site and lifecycle', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer');
    await page.getByRole('heading', { name: 'Twins' }).waitFor();
    await expect.poll(() => serials(page)).toEqual(['MSN-1001', 'MSN-1002', 'MSN-2001']);
    await screenshot(page, 'twins-list');

    const search = page.getByRole('search', { name: 'Filter twins' });
    await search.getByLabel('Site').fill('HAM');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => serials(page)).toEqual(['MSN-1002', 'MSN-2001']);

    await search.getByLabel('Product part number').fill('A321-211');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => serials(page)).toEqual(['MSN-2001']);

    await search.getByRole('button', { name: 'Clear' }).click();
    await search.getByLabel('Lifecycle').selectOption('delivered');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => serials(page)).toEqual(['MSN-2001']);

    await search.getByLabel('Lifecycle').selectOption('');
    await search.getByLabel('Serial number').fill('MSN-1001');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => serials(page)).toEqual(['MSN-1001']);

    await search.getByLabel('Serial number').fill('NOPE');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: 'No twins match these filters.' }).waitFor();
    await screenshot(page, 'twins-filtered-empty');
  });

  it('sends a refused token back to sign-in with a clear message', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'viewer');
    // A token the API refuses (as after a restart of the local issuer), in place of the real one.
    await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('twinthread.session'));
      sessionStorage.setItem('twinthread.session', JSON.stringify({ ...session, token: 'not-a-token' }));
    })()`);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Your sign-in has expired or was refused' }).waitFor();
    await page.getByRole('heading', { name: 'Sign in to twinthread' }).waitFor();
  });
});
