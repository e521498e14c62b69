import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, startConsole } from './support/console';

let harness: ConsoleHarness;

beforeAll(async () => {
  harness = await startConsole();
});

afterAll(async () => {
  await harness?.stop();
});

/** Every console message of the page, as Chromium logged it. */
function consoleMessages(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  return messages;
}

const tokenRequests = (page: Page) => {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/dev/token') sent.push(request.postData() ?? '');
  });
  return sent;
};

describe('console: the local sign-in form', () => {
  it('refuses a tenant the API would refuse, with a pattern Chromium compiles', async () => {
    // Prepare
    const page = await harness.page();
    const messages = consoleMessages(page);
    const sent = tokenRequests(page);
    await page.goto('/');
    const tenant = page.getByLabel('Tenant');
    // Act
    await tenant.fill('acme air/2');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Assess
    expect(await page.evaluate("document.querySelector('input[name=tenant]').validity.patternMismatch")).toBe(
      true,
    );
    expect(sent).toEqual([]);
    expect(await page.getByTestId('who').count()).toBe(0);
    expect(messages.filter((message) => /pattern attribute value/i.test(message))).toEqual([]);
  });

  it('signs in with any tenant the API accepts (letters, digits, ".", "_", "-")', async () => {
    // Prepare
    const page = await harness.page();
    const messages = consoleMessages(page);
    await page.goto('/');
    // Act
    await page.getByLabel('Tenant').fill('Acme.Air_2-test');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    // Assess
    expect(await page.getByTestId('who').textContent()).toContain('Acme.Air_2-test');
    expect(messages.filter((message) => /pattern attribute value/i.test(message))).toEqual([]);
  });
});
