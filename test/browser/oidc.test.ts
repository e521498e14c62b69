import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, screenshot, startConsole } from './support/console';
import { type FakeOidcProvider, startFakeOidc } from './support/oidc';

let provider: FakeOidcProvider;
let harness: ConsoleHarness;

beforeAll(async () => {
  provider = await startFakeOidc();
  harness = await startConsole({
    auth: { jwksUrl: provider.jwksUrl, issuer: provider.issuer, audience: provider.clientId },
  });
});

afterAll(async () => {
  await harness?.stop();
  await provider?.stop();
});

describe('console: sign-in with an OIDC issuer (authorization code + PKCE)', () => {
  it('signs in through the issuer, takes tenant and roles from the ID token, and calls the API with it', async () => {
    provider.user = { tenant: 'oidc-air', roles: ['engineer'], email: 'erin@oidc-air' };
    const page = await harness.page();
    await page.goto('/twins');
    // No local tenant picker when an outside issuer is configured.
    await page.getByRole('button', { name: 'Sign in with your organization' }).waitFor();
    expect(await page.getByLabel('Tenant').count()).toBe(0);
    await screenshot(page, 'oidc-sign-in');
    await page.getByRole('button', { name: 'Sign in with your organization' }).click();
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('oidc-air · engineer · erin@oidc-air');
    expect(provider.exchanges).toEqual([{ pkce: true, redirectUri: `${harness.url}/auth/callback` }]);
    expect(provider.nonces).toHaveLength(1);
    expect(provider.nonces[0]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(new URL(page.url()).pathname).toBe('/');
    // The API accepts the issuer's token: an empty list of this tenant's twins, no error.
    await page.getByText('No twins match these filters.').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('refuses an ID token whose nonce is not the one it sent', async () => {
    provider.user = { tenant: 'oidc-air', roles: ['engineer'], email: 'mallory@oidc-air' };
    provider.forgeNonce = 'a-nonce-of-another-sign-in';
    const page = await harness.page();
    await page.goto('/twins');
    await page.getByRole('button', { name: 'Sign in with your organization' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The sign-in service sent a token of another sign-in; try again.' })
      .waitFor();
    provider.forgeNonce = undefined;
    expect(await page.getByTestId('who').count()).toBe(0);
    expect(provider.exchanges).toHaveLength(2);
  });

  it('refuses a callback it did not start', async () => {
    const page = await harness.page();
    await page.goto('/auth/callback?code=stolen&state=forged');
    await page
      .getByRole('alert')
      .filter({ hasText: 'This sign-in was not started here; try again.' })
      .waitFor();
    expect(provider.exchanges).toHaveLength(2);
  });
});
