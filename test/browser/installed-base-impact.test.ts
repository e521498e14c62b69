import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin } from './support/seed';

/** The Fleet impact page for an OEM: its own fleet is empty, its installed base is not. */
let harness: ConsoleHarness;
let airline: string;
let oem: string;

beforeAll(async () => {
  harness = await startConsole();
  airline = newTenant('air');
  oem = newTenant('oem');
  const token = await harness.token(airline, ['admin']);
  await createTwin(harness, token, aircraft('MSN-7001', 'HAM'));
  await createTwin(harness, token, aircraft('MSN-7002', 'TLS'));
  const view = (await harness.call(token, 'POST', '/v1/views', { name: 'oem' })) as { id: string };
  await harness.call(token, 'POST', '/v1/grants', {
    grantee: oem,
    viewId: view.id,
    twins: { partNumber: 'A320-214' },
    purpose: 'paas',
    permissions: ['read'],
  });
});

afterAll(async () => {
  await harness?.stop();
});

const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr').allTextContents();

describe('console: fleet impact for an OEM', () => {
  it("says whose fleet it searched, and finds the customers' units on the installed base", async () => {
    const page = await harness.page();
    await signIn(page, oem, 'engineer');
    await page.getByRole('link', { name: 'Fleet impact' }).click();
    const form = page.getByRole('form', { name: 'Impact query' });
    await form.getByLabel('Part number').fill('FADEC-SW');
    await form.getByLabel('Software versions (semver range)').fill('>=5.0.0 <5.4.0');
    await form.getByRole('button', { name: 'Find affected units' }).click();
    await expect
      .poll(() => page.getByTestId('impact-total').textContent())
      .toBe('0 affected installation(s)');
    expect(await page.getByTestId('impact-scope').textContent()).toContain(
      `Searched the fleet of tenant ${oem}.`,
    );
    expect(await page.getByTestId('impact-scope').textContent()).toContain('Installed base');

    await form.getByLabel(/Installed base/).check();
    await form.getByRole('button', { name: 'Find affected units' }).click();
    await expect
      .poll(() => page.getByTestId('impact-total').textContent())
      .toBe('2 affected installation(s)');
    expect(await page.getByTestId('impact-scope').textContent()).toBe(
      `Searched the installed base shared with ${oem}: 1 owner(s) with affected units.`,
    );
    expect(await rows(page, 'by-site')).toEqual(['HAM1', 'TLS1']);
    expect(await rows(page, 'by-owner')).toEqual([`${airline}2`]);
    const affected = await rows(page, 'affected');
    expect(affected.some((row) => row.includes(`MSN-7001 (${airline})`) && row.includes('5.2.1'))).toBe(true);
    await screenshot(page, 'oem-fleet-impact');
    await page.getByRole('link', { name: 'MSN-7002' }).first().click();
    await page.getByRole('tree').waitFor();
    expect(page.url()).toContain(`/shared/${airline}/`);
  });
});
