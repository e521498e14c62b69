import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  type ConsoleHarness,
  newTenant,
  screenshot,
  signIn,
  startConsole,
} from './support/console';
import { aircraft, createTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;
let ownerToken: string;
let other: { id: string };

/** A document through the API, its content PUT with the presigned URL (as the README shows). */
async function bulletin(token: string, title: string, softwareVersions: string) {
  const content = Buffer.from(`${title}: reload FADEC software`);
  const created = await harness.call<{
    document: { id: string };
    uploadUrl: string;
    uploadHeaders: Record<string, string>;
  }>(token, 'POST', '/v1/documents', {
    kind: 'service-bulletin',
    title,
    contentType: 'text/plain',
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    effectivity: { partNumber: 'FADEC-SW', softwareVersions },
  });
  const put = await fetch(created.uploadUrl, {
    method: 'PUT',
    headers: { ...created.uploadHeaders, 'content-type': 'text/plain' },
    body: content,
  });
  expect(put.status).toBe(200);
}

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('acme');
  const token = await harness.token(tenant, ['admin']);
  const unit = await createTwin(harness, token, aircraft('MSN-4001'));
  // Declared, linked, but its content never uploaded.
  const pending = await harness.call<{ document: { id: string } }>(token, 'POST', '/v1/documents', {
    kind: 'manual',
    title: 'Pending manual',
    contentType: 'text/plain',
    size: 10,
    sha256: createHash('sha256').update('0123456789').digest('hex'),
  });
  await harness.call(token, 'POST', `/v1/twins/${unit.id}/links`, { documentId: pending.document.id });
  other = await createTwin(harness, token, aircraft('MSN-4002'));
  ownerToken = token;
  await bulletin(token, 'SB 73-0042', '>=5.0.0 <6.0.0');
  await bulletin(token, 'SB 73-0099', '>=6.0.0');
});

afterAll(async () => {
  await harness?.stop();
});

/** What a download saved (documents are attachments: they are saved, never shown). */
const savedText = async (saved: Download) => readFileSync((await saved.path())!, 'utf8');

const documentRow = (page: Page, title: string) =>
  page.locator('table.list tbody tr').filter({ has: page.getByRole('cell', { name: title, exact: true }) });

async function openUnit(page: Page, role = 'engineer', serial = 'MSN-4001', tab = 'Thread') {
  await signIn(page, tenant, role);
  await page.getByRole('link', { name: serial }).click();
  await page.getByRole('tree').waitFor();
  if (tab !== 'Configuration') {
    await page.getByRole('tab', { name: tab, exact: true }).click();
    await page.getByRole('heading', { name: tab, exact: true }).waitFor();
  }
}

/** Selects a position in the tree and walks it in the Inspections tab. */
async function inspect(page: Page, path: string) {
  await page.getByRole('tab', { name: 'Configuration', exact: true }).click();
  await page.locator(`[role="treeitem"][data-path="${path}"] > .node .slug`).click();
  await page.getByRole('button', { name: `Inspect ${path} and below` }).click();
  await page.getByRole('heading', { name: 'Inspections', exact: true }).waitFor();
}

describe('console: the thread and the work package', () => {
  it('highlights the bulletins that apply by effectivity, uploads, downloads and versions a document', async () => {
    const page = await harness.page();
    await openUnit(page);
    const sb = documentRow(page, 'SB 73-0042');
    await sb.waitFor();
    expect(await sb.getAttribute('class')).toBe('applies');
    expect(await sb.textContent()).toContain(
      'applies by effectivity FADEC-SW · software >=5.0.0 <6.0.0 at engine-1/fadec/sw',
    );
    expect(await documentRow(page, 'SB 73-0099').count()).toBe(0);

    // one row per document (the bulletin applies at one position here)
    expect(await documentRow(page, 'SB 73-0042').count()).toBe(1);
    await page.getByRole('tab', { name: 'Configuration', exact: true }).click();
    await page.locator('[role="treeitem"][data-path="hvac"] > .node').click();
    await page.getByRole('tab', { name: 'Thread', exact: true }).click();
    const upload = page.getByRole('form', { name: 'Add a document' });
    await upload.getByLabel('Kind').selectOption('job-plan');
    await upload.getByLabel('Title').fill('HVAC controller R&R');
    await upload.getByLabel('Link to').selectOption({ label: 'the selected position hvac' });
    await upload
      .getByLabel('File')
      .setInputFiles({ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('Step 1: power off') });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('status').filter({ hasText: '"HVAC controller R&R" uploaded.' }).waitFor();
    const plan = documentRow(page, 'HVAC controller R&R');
    await plan.waitFor();
    expect(await plan.textContent()).toContain('linked to hvac');

    const [first] = await Promise.all([
      page.waitForEvent('download'),
      plan.getByRole('button', { name: 'Download HVAC controller R&R' }).click(),
    ]);
    expect(first.suggestedFilename()).toBe('HVAC controller R&R.txt');
    expect(await savedText(first)).toBe('Step 1: power off');

    await plan.getByLabel('New version of HVAC controller R&R').setInputFiles({
      name: 'plan-2.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Step 1: isolate power'),
    });
    await page
      .getByRole('status')
      .filter({ hasText: 'Version 2 of "HVAC controller R&R" uploaded.' })
      .waitFor();
    const [second] = await Promise.all([
      page.waitForEvent('download'),
      documentRow(page, 'HVAC controller R&R')
        .getByRole('button', { name: 'Download HVAC controller R&R' })
        .click(),
    ]);
    expect(await savedText(second)).toBe('Step 1: isolate power');
    // the console stayed where it was
    await documentRow(page, 'HVAC controller R&R').waitFor();
    await screenshot(page, 'thread-documents');
  });

  it('explains a conflict: a document whose content has not arrived yet (409)', async () => {
    const page = await harness.page();
    await openUnit(page);
    const pending = documentRow(page, 'Pending manual');
    await pending.getByRole('button', { name: 'Download Pending manual' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Conflict:' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Conflict: \S/);
  });

  it('records an inspection and shows its discrepancies', async () => {
    const page = await harness.page();
    await openUnit(page, 'technician');
    expect(await page.getByRole('form', { name: 'Add a document' }).count()).toBe(0);
    await inspect(page, 'hvac/controller');
    const form = page.getByRole('form', { name: 'Record an inspection' });
    await form.getByLabel('Inspector').fill('tech-7');
    await form.getByLabel('Findings').fill('controller label differs');
    await form
      .getByLabel('Found at hvac/controller', { exact: true })
      .selectOption({ label: 'other serial' });
    await form.getByLabel('Serial found at hvac/controller').fill('HVC-99');
    await form.getByRole('button', { name: 'Record inspection' }).click();
    const result = page.getByTestId('inspection-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('hvac/controller unexpected-serial');
    expect(await result.textContent()).toContain('HVC-99');
    const listed = page.locator('ol.inspections > li').filter({ hasText: 'tech-7' });
    await listed.waitFor();
    expect(await listed.textContent()).toContain('controller label differs');
    expect(await listed.textContent()).toContain('unexpected-serial');
    await screenshot(page, 'thread-inspection');
  });

  it('applies an inspection to the configuration, and refuses a stale one with "someone changed this unit"', async () => {
    const page = await harness.page();
    await openUnit(page, 'engineer', 'MSN-4002', 'Configuration');
    await inspect(page, 'hvac/controller');
    const form = page.getByRole('form', { name: 'Record an inspection' });
    const record = async (serial: string) => {
      await form.getByLabel('Inspector').fill('tech-8');
      await form
        .getByLabel('Found at hvac/controller', { exact: true })
        .selectOption({ label: 'other serial' });
      await form.getByLabel('Serial found at hvac/controller').fill(serial);
      await form.getByLabel('Apply the discrepancies to the configuration').check();
      await form.getByRole('button', { name: 'Record inspection' }).click();
    };
    await record('HVC-77');
    await expect
      .poll(() => page.getByTestId('inspection-result').textContent())
      .toContain('Applied to the configuration (now version 2).');
    await expect
      .poll(() => page.locator('[role="treeitem"][data-path="hvac/controller"]').textContent())
      .toContain('SN HVC-77');
    // Someone else changes the unit meanwhile: the next applied inspection is refused (412).
    await harness.call(ownerToken, 'PATCH', `/v1/twins/${other.id}`, { site: 'HAM' }, 2);
    await record('HVC-78');
    const alert = form.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Someone changed this unit; reload.');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByTestId('site').textContent()).toBe('HAM');
    await screenshot(page, 'inspection-applied-stale');
  });

  it('opens the work package of a position and prints it', async () => {
    const page = await harness.page();
    await openUnit(page, 'engineer', 'MSN-4001', 'Configuration');
    await page.locator('[role="treeitem"][data-path="hvac"] > .node').click();
    await page.getByRole('link', { name: 'Work package for hvac', exact: true }).click();
    await page.getByRole('heading', { name: 'Work package: MSN-4001 · hvac', exact: true }).waitFor();
    const installed = page.getByRole('table', { name: 'Installed components in this subtree' });
    expect(await installed.textContent()).toContain('hvac/controllerelectricalHVAC-CTL-9HVC-MSN-4001');
    await documentRow(page, 'HVAC controller R&R').waitFor();
    expect(await page.locator('ul.discrepancies').textContent()).toContain(
      'hvac/controller unexpected-serial',
    );
    await screenshot(page, 'work-package');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: 'Open discrepancies' }).isVisible()).toBe(true);
    await page.pdf({ path: join(ARTIFACTS, 'work-package.pdf'), format: 'A4' });
  });
});
