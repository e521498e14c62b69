import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { BaselineRecord } from '../domain/baseline';
import type { BaselinePolicyRecord } from '../domain/baseline-schedule';
import { documentClient } from './clients';
import { eventItem } from './events';
import { indexPage } from './index-page';
import { baselineItem, baselineNameItem, ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { TransactionCancelled, transactWrite } from './transact';

type Item = Record<string, unknown>;
const table = () => config.tableName();

const toPolicy = (item: Item) => {
  const { entity: _entity, ...policy } = withoutKeys(item);
  return policy as unknown as BaselinePolicyRecord;
};

export async function getBaselinePolicy(
  tenant: string,
  id: string,
): Promise<BaselinePolicyRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.baselinePolicy(tenant, id), ConsistentRead: true }),
  );
  return Item ? toPolicy(Item) : undefined;
}

/**
 * Writes the policy and, in the same transaction, its entry in the scheduler's list with when it is
 * due next, so that the scheduled job finds every policy without reading any tenant's partitions.
 */
export async function putBaselinePolicy(tenant: string, policy: BaselinePolicyRecord, nextDue: string) {
  await transactWrite([
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.baselinePolicy(tenant, policy.id),
          ...keys.baselinePolicyIndexKeys(tenant, policy.id),
          entity: ENTITY.baselinePolicy,
          ...policy,
        },
      },
    },
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.scheduledPolicy(tenant, policy.id),
          entity: ENTITY.scheduledPolicy,
          tenant,
          policyId: policy.id,
          nextDue,
        },
      },
    },
  ]);
}

export async function deleteBaselinePolicy(tenant: string, id: string) {
  await transactWrite([
    { Delete: { TableName: table(), Key: keys.baselinePolicy(tenant, id) } },
    { Delete: { TableName: table(), Key: keys.scheduledPolicy(tenant, id) } },
  ]);
}

export async function listBaselinePolicies(tenant: string, page: { limit: number; cursor?: string }) {
  const partition = keys.baselinePolicyList(tenant);
  const result = await indexPage(
    {
      index: INDEXES.list,
      partition,
      prefix: 'BLPOLICY#',
      tablePrefix: `TENANT#${tenant}#`,
      scope: JSON.stringify(['list', partition]),
    },
    page,
  );
  return { ...result, items: result.items.map(toPolicy) };
}

/** The scheduler's list entries due at `now` (every tenant's). */
export async function duePolicies(now: Date): Promise<{ tenant: string; policyId: string }[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk',
    FilterExpression: 'nextDue <= :now',
    ExpressionAttributeValues: { ':pk': keys.schedulePartition, ':now': now.toISOString() },
  });
  return items.map((item) => ({ tenant: item.tenant as string, policyId: item.policyId as string }));
}

/**
 * After a run: the policy has handled the periods up to `periodsUntil` and is due next at `nextDue`.
 * Only forwards (a late, concurrent run never moves a policy back), and only while the policy exists.
 */
export async function advancePolicy(tenant: string, policyId: string, periodsUntil: string, nextDue: string) {
  try {
    await transactWrite([
      {
        Update: {
          TableName: table(),
          Key: keys.baselinePolicy(tenant, policyId),
          UpdateExpression: 'SET periodsUntil = :until',
          ConditionExpression: 'attribute_exists(PK) AND periodsUntil < :until',
          ExpressionAttributeValues: { ':until': periodsUntil },
        },
      },
      {
        Update: {
          TableName: table(),
          Key: keys.scheduledPolicy(tenant, policyId),
          UpdateExpression: 'SET nextDue = :due',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':due': nextDue },
        },
      },
    ]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
  }
}

/** A policy removed while its list entry stayed (never written so, but cheap to heal). */
export async function dropScheduledPolicy(tenant: string, policyId: string) {
  await documentClient().send(
    new DeleteCommand({ TableName: table(), Key: keys.scheduledPolicy(tenant, policyId) }),
  );
}

/** Re-arms a policy's list entry (after a run handled nothing). */
export async function setNextDue(tenant: string, policyId: string, nextDue: string) {
  await documentClient()
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.scheduledPolicy(tenant, policyId),
        UpdateExpression: 'SET nextDue = :due',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':due': nextDue },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

export type ScheduledOutcome = 'taken' | 'already-taken' | 'name-taken';

/**
 * Records a scheduled baseline, exactly once per policy, twin and period: in one transaction the
 * period's guard (fails when this period was already taken, by a retry or a concurrent run), the
 * baseline, its name guard and the `baseline.scheduled` event.
 */
export async function putScheduledBaseline(
  tenant: string,
  twinId: string,
  policy: { id: string; name: string },
  boundary: string,
  baseline: BaselineRecord,
): Promise<ScheduledOutcome> {
  const put = (Item: Item) => ({
    Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' },
  });
  try {
    await transactWrite([
      put({
        ...keys.scheduledBaselineGuard(tenant, twinId, policy.id, boundary),
        entity: ENTITY.baselinePeriod,
        baselineId: baseline.id,
      }),
      put(baselineItem(tenant, twinId, baseline)),
      put(baselineNameItem(tenant, twinId, baseline)),
      put(
        eventItem(tenant, {
          type: 'baseline.scheduled',
          recordedAt: baseline.createdAt,
          twinId,
          baselineId: baseline.id,
          name: baseline.name,
          at: baseline.at,
          policyId: policy.id,
          policyName: policy.name,
          actor: baseline.actor,
        }),
      ),
    ]);
    return 'taken';
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const failed = error.conditionFailure?.index;
    if (failed === 0) return 'already-taken';
    if (failed === 2) return 'name-taken';
    throw error;
  }
}
