import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin } from './support/seed';

let harness: ConsoleHarness;
let owner: string;
let contractor: string;
let oem: string;

beforeAll(async () => {
  harness = await startConsole();
  owner = newTenant('acme');
  contractor = newTenant('cool');
  oem = newTenant('oem');
  const token = await harness.token(owner, ['admin']);
  await createTwin(harness, token, aircraft('MSN-5001', 'HAM'));
  const upgraded = await createTwin(harness, token, aircraft('MSN-5002', 'HAM'));
  await createTwin(harness, token, aircraft('MSN-5003', 'TLS'));
  await harness.call(
    token,
    'POST',
    `/v1/twins/${upgraded.id}/changes`,
    {
      reason: 'OTA 5.3.0',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    },
    upgraded.version,
  );
});

afterAll(async () => {
  await harness?.stop();
});

const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr').allTextContents();

async function createView(page: Page, name: string, options: { positions?: string; only?: string }) {
  const form = page.getByRole('form', { name: 'Create a view' });
  await form.getByLabel('View name').fill(name);
  if (options.positions)
    await form.getByLabel('Positions (prefixes, comma-separated; empty: all)').fill(options.positions);
  if (options.only) await form.getByLabel(`only ${options.only}`).check();
  await form.getByLabel('Show history').uncheck();
  await form.getByRole('button', { name: 'Create view' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `View "${name}" created.` })
    .waitFor();
}

async function grant(
  page: Page,
  party: string,
  view: string,
  selector: { site?: string; product?: string },
  purpose: string,
) {
  const form = page.getByRole('form', { name: 'Grant access' });
  await form.getByLabel('Party (tenant)').fill(party);
  await form.getByLabel('View').selectOption({ label: view });
  await form.getByLabel('Twins at site').fill(selector.site ?? '');
  await form.getByLabel('Twins of product').fill(selector.product ?? '');
  await form.getByLabel('Purpose').selectOption(purpose);
  if (purpose === 'contractor') await form.getByLabel('May record inspections').check();
  await form.getByRole('button', { name: 'Grant', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Granted to ${party}.` })
    .waitFor();
}

describe('console: sharing, contractors, OEMs and fleet impact', () => {
  it('lets an admin create views and grants and see which parties see which twins', async () => {
    const page = await harness.page();
    await signIn(page, owner, 'admin');
    await page.getByRole('link', { name: 'Sharing' }).click();
    await page.getByRole('heading', { name: 'Who sees what' }).waitFor();
    await createView(page, 'HVAC contractor', { positions: 'hvac' });
    await createView(page, 'PaaS', { only: 'software' });
    await expect
      .poll(() => rows(page, 'views'))
      .toEqual(['HVAC contractorhvacallallhidden', 'PaaSallsoftwareallhidden']);
    await grant(page, contractor, 'HVAC contractor', { site: 'HAM' }, 'contractor');
    await grant(page, oem, 'PaaS', { product: 'A320-214' }, 'paas');
    const grants = page.getByTestId('grants');
    const toContractor = grants.locator('tbody tr').filter({ hasText: contractor });
    await expect
      .poll(() => toContractor.textContent())
      .toContain(`${contractor}HVAC contractorsite HAMMSN-5001, MSN-5002contractorread, inspectactive`);
    expect(await grants.locator('tbody tr').filter({ hasText: oem }).textContent()).toContain(
      'PaaSproduct A320-214MSN-5001, MSN-5002, MSN-5003paasread',
    );
    await screenshot(page, 'admin-sharing');
  });

  it('shows a contractor the twins shared with it, trimmed to its view', async () => {
    const page = await harness.page();
    await signIn(page, contractor, 'technician');
    // nothing of its own: sign-in lands on what is shared with it, and the navigation shows only that
    await expect.poll(() => page.evaluate('location.pathname')).toBe('/shared');
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents())
      .toEqual(['Shared with us']);
    await expect
      .poll(() => rows(page, 'shared-twins'))
      .toEqual([`${owner}MSN-5001A320-214HAMas-built`, `${owner}MSN-5002A320-214HAMas-built`]);
    await page.getByRole('link', { name: 'MSN-5001' }).click();
    await page.getByRole('tree').waitFor();
    const paths = await page
      .getByRole('treeitem')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-path')));
    expect(paths).toEqual(['hvac', 'hvac/controller']);
    expect(await page.getByText('engine-1').count()).toBe(0);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByText('The history of this unit is not shared with you.').waitFor();
    await screenshot(page, 'contractor-shared-twin');
  });

  it('shows an OEM its installed base with a chart of units by software version', async () => {
    const page = await harness.page();
    await signIn(page, oem, 'engineer');
    await page.getByRole('link', { name: 'Installed base' }).click();
    await expect.poll(() => rows(page, 'by-software')).toEqual(['5.2.12', '5.3.01']);
    expect(await page.getByLabel('Software part').inputValue()).toBe('FADEC-SW');
    expect(await page.getByRole('img', { name: /Units by version of FADEC-SW/ }).isVisible()).toBe(true);
    expect(await page.getByTestId('shared-twins').locator('tbody tr').count()).toBe(3);
    await screenshot(page, 'oem-installed-base');
  });

  it('runs an OTA impact query and charts the affected units by site', async () => {
    const page = await harness.page();
    await signIn(page, owner, 'engineer');
    await page.getByRole('link', { name: 'Fleet impact' }).click();
    const form = page.getByRole('form', { name: 'Impact query' });
    await form.getByLabel('Part number').fill('FADEC-SW');
    await form.getByLabel('Software versions (semver range)').fill('>=5.0.0 <5.3.0');
    await form.getByRole('button', { name: 'Find affected units' }).click();
    await expect
      .poll(() => page.getByTestId('impact-total').textContent())
      .toBe('2 affected installation(s)');
    expect(await rows(page, 'by-site')).toEqual(['HAM1', 'TLS1']);
    expect(await page.getByRole('img', { name: /Affected units by site/ }).isVisible()).toBe(true);
    await screenshot(page, 'fleet-impact');
  });

  it('revokes a grant: the contractor sees nothing at once; a technician may not manage sharing (403)', async () => {
    const admin = await harness.page();
    await signIn(admin, owner, 'admin');
    await admin.goto('/admin');
    await admin.getByRole('button', { name: `Revoke grant to ${contractor}` }).click();
    await admin
      .getByRole('status')
      .filter({ hasText: `Grant to ${contractor} revoked.` })
      .waitFor();
    await expect
      .poll(() =>
        admin.getByTestId('grants').locator('tbody tr').filter({ hasText: contractor }).textContent(),
      )
      .toContain('revoked');

    const page = await harness.page();
    await signIn(page, contractor, 'technician');
    await page.goto('/shared');
    await page.getByText('Nothing is shared with your organization.').waitFor();

    const technician = await harness.page();
    await signIn(technician, owner, 'technician');
    expect(await technician.getByRole('link', { name: 'Sharing' }).count()).toBe(0);
    await technician.goto('/admin');
    // no forms that can only fail: the page says who sets sharing
    await technician.getByText("Sharing (views and grants) is set by your organization's admins").waitFor();
    expect(await technician.getByRole('form').count()).toBe(0);
    expect(await technician.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
  });
});
