import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { BaselineRecord } from '../../shared/domain/baseline';
import { Conflict } from '../../shared/domain/errors';
import { putBaseline } from '../../shared/store/baseline-store';
import { newTenant } from '../support/tenants';

const baseline = (name: string): BaselineRecord => {
  const now = new Date().toISOString();
  return { id: ulid(), name, at: now, knownAt: now, createdAt: now, actor: { sub: 'test', tenant: 'test' } };
};

describe('the baseline name guard', () => {
  it('refuses a second baseline of one name on a twin in the write itself (409 naming body.name)', async () => {
    // Prepare: two takes that both passed the history check (as two concurrent requests do)
    const tenant = newTenant();
    const twinId = ulid();
    await putBaseline(tenant, twinId, baseline('Handover'));
    // Act
    const second = putBaseline(tenant, twinId, baseline('Handover'));
    // Assess
    await expect(second).rejects.toBeInstanceOf(Conflict);
    await expect(second).rejects.toMatchObject({ errors: [{ path: 'body.name' }] });
    await putBaseline(tenant, ulid(), baseline('Handover'));
    await putBaseline(tenant, twinId, baseline('Handover 2'));
  });
});
