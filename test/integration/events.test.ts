import { ulid } from 'ulid';
import { expect, it } from 'vitest';
import { applyPlan, planChangeSet } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { applyChangeSet } from '../../shared/store/change-store';
import { createTwin, loadTwin } from '../../shared/store/twin-store';
import { feedOf } from '../support/feed';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

it('appends one event per recorded change set to the tenant feed, in order, and none for a refused one', async () => {
  // Prepare
  const tenant = newTenant('feed');
  const actor = { sub: 'planner', tenant };
  const body = aircraftRecord('FEED-1');
  const record = newTwinRecord(body, ulid(), new Date());
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(),
  );
  const history = (await loadTwin(tenant, record.id))!;
  const change = {
    reason: 'sw',
    operations: [{ op: 'update' as const, position: 'engine-1/fadec/sw', softwareVersion: '6.0.0' }],
  };
  const plan = planChangeSet(history, change, { now: new Date(), actor, changeSetId: ulid() });
  // Act
  await applyChangeSet(tenant, plan, 1, new Date());
  const stale = planChangeSet(history, change, { now: new Date(), actor, changeSetId: ulid() });
  await expect(applyChangeSet(tenant, stale, 1, new Date())).rejects.toThrow();
  // Assess
  const feed = await feedOf(tenant);
  expect(feed.map((event) => [event.type, event.twinId, event.seq])).toEqual([
    ['twin.created', record.id, 1],
    ['change-set.recorded', record.id, 2],
  ]);
  expect(feed[1]).toMatchObject({ changeSetId: plan.changeSet.id, actor });
  expect((await loadTwin(tenant, record.id))?.changeSets).toHaveLength(
    applyPlan(history, plan).changeSets.length,
  );
  expect(await feedOf(newTenant('other'))).toEqual([]);
});
