import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violations } from './support/axe';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';

/** Polls give the local stack time: under a loaded CI a page of 100 twins takes seconds, not one. */
const WAIT = { timeout: 20_000, interval: 100 };

/** One more than the console's page (the API's largest `limit`, 100): the 101st comes with "Load more". */
const COUNT = 101;

let harness: ConsoleHarness;
let owner: string;
let oem: string;
let first: { id: string };
const serials = Array.from({ length: COUNT }, (_, index) => `PMP-${String(index).padStart(3, '0')}`);

/** `count` calls, a few at a time (the local stack has 2 cores). */
async function times(count: number, call: (index: number) => Promise<unknown>) {
  for (let start = 0; start < count; start += 4)
    await Promise.all(
      Array.from({ length: Math.min(4, count - start) }, (_, offset) => call(start + offset)),
    );
}

beforeAll(async () => {
  harness = await startConsole();
  owner = newTenant('pumps');
  oem = newTenant('oem');
  const token = await harness.token(owner, ['admin']);
  // 101 pumps carrying software PUMP-SW 1.0.0, at two sites.
  const twins: { id: string }[] = [];
  await times(COUNT, async (index) => {
    twins[index] = await harness.call<{ id: string }>(token, 'POST', '/v1/twins', {
      serialNumber: serials[index],
      product: { partNumber: 'PUMP-1', name: 'Booster pump' },
      site: index % 2 === 0 ? 'HAM' : 'TLS',
      builtAt: '2024-01-01T00:00:00Z',
      configuration: [
        { position: 'sw', component: { partNumber: 'PUMP-SW', kind: 'software', softwareVersion: '1.0.0' } },
      ],
    });
  });
  first = twins[0]!;
  // 101 bulletins applying by effectivity to every pump (metadata is enough for the thread).
  await times(COUNT, (index) =>
    harness.call(token, 'POST', '/v1/documents', {
      kind: 'service-bulletin',
      title: `SB ${String(index).padStart(3, '0')}`,
      contentType: 'text/plain',
      size: 10,
      sha256: '0'.repeat(64),
      effectivity: { partNumber: 'PUMP-SW' },
    }),
  );
  // 101 inspections of the first pump (one at a time: each appends to the same twin).
  for (let index = 0; index < COUNT; index += 1)
    await harness.call(token, 'POST', `/v1/twins/${first.id}/inspections`, {
      performedAt: new Date(Date.parse('2025-01-01T00:00:00Z') + index * 60_000).toISOString(),
      inspector: `insp-${String(index).padStart(3, '0')}`,
      observed: [{ path: 'sw', softwareVersion: '1.0.0' }],
    });
  // Every pump to the OEM under a product-as-a-service grant.
  const view = await harness.call<{ id: string }>(token, 'POST', '/v1/views', {
    name: 'PaaS',
    kinds: ['software'],
  });
  await harness.call(token, 'POST', '/v1/grants', {
    grantee: oem,
    viewId: view.id,
    twins: { partNumber: 'PUMP-1' },
    purpose: 'paas',
    permissions: ['read'],
  });
}, 300_000);

afterAll(async () => {
  await harness?.stop();
});

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
const focusedText = (page: Page) =>
  page.evaluate('document.activeElement && document.activeElement.textContent');

/** Clicks "Load more" and waits until the list has `after` rows and the button is gone. */
async function loadRest(page: Page, noun: string, rows: () => Promise<number>) {
  const button = page.getByRole('button', { name: `Load more ${noun}` });
  await button.click();
  await expect.poll(rows, WAIT).toBe(COUNT);
  await expect.poll(() => button.count(), WAIT).toBe(0);
  // The keyboard user is not dropped: focus is on the count that replaced the button.
  await expect.poll(() => focusedText(page), WAIT).toBe(`Showing ${COUNT} of ${COUNT} ${noun}`);
}

describe('console: lists longer than one page', () => {
  it('shows a thread’s documents and inspections 100 at a time, then the rest', async () => {
    const page = await harness.page();
    await signIn(page, owner, 'engineer');
    await page.goto(`/twins/${first.id}?tab=thread`);
    const documents = page.getByRole('table', { name: 'Documents' }).locator('tbody tr');
    await expect.poll(() => documents.count(), WAIT).toBe(100);
    expect(await page.getByTestId('documents-pager').getByRole('status').textContent()).toBe(
      `Showing 100 of ${COUNT} documents`,
    );
    await loadRest(page, 'documents', () => documents.count());
    const titles = await page
      .getByRole('table', { name: 'Documents' })
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(new Set(titles).size).toBe(COUNT);

    await page.getByRole('tab', { name: 'Inspections' }).click();
    const inspections = page.locator('ol.inspections > li');
    await expect.poll(() => inspections.count(), WAIT).toBe(100);
    await loadRest(page, 'inspections', () => inspections.count());
    const inspectors = (await texts(page, 'ol.inspections > li')).map((text) => /insp-\d{3}/.exec(text)?.[0]);
    expect(new Set(inspectors).size).toBe(COUNT);
    await screenshot(page, 'paging-thread');
  });

  it('pages an OEM’s installed base past 100 units; the counts cover them all from the start', async () => {
    const page = await harness.page();
    await signIn(page, oem, 'engineer');
    await page.getByRole('link', { name: 'Installed base' }).click();
    const rows = page.getByTestId('shared-twins').locator('tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(100);
    expect(await page.getByTestId('installed-base-total').textContent()).toBe(
      `${COUNT} unit(s) · PUMP-1: ${COUNT}`,
    );
    expect(await texts(page, '[data-testid="by-software"] tbody tr')).toEqual([`1.0.0${COUNT}`]);
    await loadRest(page, 'units', () => rows.count());
    const listed = await page
      .getByTestId('shared-twins')
      .locator('tbody tr td:nth-child(2)')
      .allTextContents();
    expect([...listed].sort()).toEqual(serials);
    expect(await texts(page, '[data-testid="by-software"] tbody tr')).toEqual([`1.0.0${COUNT}`]);
    expect(await violations(page)).toEqual([]);
    await screenshot(page, 'paging-installed-base');
  });

  it('pages the units an OTA reaches past 100; total and chart from the whole answer', async () => {
    const page = await harness.page();
    await signIn(page, owner, 'engineer');
    await page.getByRole('link', { name: 'Fleet impact' }).click();
    const form = page.getByRole('form', { name: 'Impact query' });
    await form.getByLabel('Part number').fill('PUMP-SW');
    await form.getByLabel('Software versions (semver range)').fill('<2.0.0');
    await form.getByRole('button', { name: 'Find affected units' }).click();
    const rows = page.getByTestId('affected').locator('tbody tr');
    await expect.poll(() => rows.count(), WAIT).toBe(100);
    expect(await page.getByTestId('impact-total').textContent()).toBe(`${COUNT} affected installation(s)`);
    expect(await texts(page, '[data-testid="by-site"] tbody tr')).toEqual(['HAM51', 'TLS50']);
    await loadRest(page, 'affected installations', () => rows.count());
    const listed = await page.getByTestId('affected').locator('tbody tr td:first-child').allTextContents();
    expect([...listed].sort()).toEqual(serials);
    expect(await texts(page, '[data-testid="by-site"] tbody tr')).toEqual(['HAM51', 'TLS50']);
    await screenshot(page, 'paging-impact');
  });
});
