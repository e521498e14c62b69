import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, newTenant, screenshot, signIn, startConsole } from './support/console';
import { aircraft, createTwin } from './support/seed';

let harness: ConsoleHarness;
let tenant: string;

/** A bulletin with a requirement, through the API (its content is not needed for compliance). */
const bulletin = (token: string, title: string, embodiedWhen: unknown[]) =>
  harness.call<{ document: { id: string } }>(token, 'POST', '/v1/documents', {
    kind: 'service-bulletin',
    title,
    contentType: 'application/pdf',
    size: 1,
    sha256: 'a'.repeat(64),
    effectivity: { partNumber: 'FADEC-SW' },
    requirement: { mandatory: true, effectiveAt: '2024-01-01T00:00:00Z', embodiedWhen },
  });

beforeAll(async () => {
  harness = await startConsole();
  tenant = newTenant('comply');
  const token = await harness.token(tenant, ['admin'], 'planner@comply');
  const unit = await createTwin(harness, token, aircraft('MSN-8001'));
  await bulletin(token, 'SB 73-0042 software 5.3', [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.3.0' }]);
  await bulletin(token, 'SB 73-0050 harness check', []);
  await harness.call(
    token,
    'POST',
    `/v1/twins/${unit.id}/changes`,
    {
      reason: 'SB 73-0042',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    },
    unit.version,
  );
});

afterAll(async () => {
  await harness?.stop();
});

describe('console: compliance', () => {
  it('shows a bulletin complied by the configuration and records a manual compliance of another', async () => {
    const page = await harness.page();
    await signIn(page, tenant, 'admin', 'planner@comply');
    await page.getByRole('link', { name: 'MSN-8001' }).click();
    await page.getByRole('tab', { name: 'Compliance' }).click();
    const table = page.getByRole('table', { name: 'Requirements' });
    await table.waitFor();
    const embodied = table.getByRole('row').filter({ hasText: 'SB 73-0042' });
    await expect.poll(() => embodied.getByTestId('compliance-status').textContent()).toBe('complied');
    expect(await embodied.textContent()).toContain('by configuration (engine-1/fadec/sw)');
    const manual = table.getByRole('row').filter({ hasText: 'SB 73-0050' });
    expect(await manual.getByTestId('compliance-status').textContent()).toBe('open');
    await manual.getByRole('button', { name: 'Record' }).click();
    await manual.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Recorded complied').waitFor();
    await expect.poll(() => manual.getByTestId('compliance-status').textContent()).toBe('complied');
    await screenshot(page, 'compliance');
  });
});
