import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { PreconditionFailed } from '../../shared/domain/errors';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { recordChangeSet } from '../../shared/services/change-recording';
import { searchTenant } from '../../shared/services/search-service';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { withCursorBinding } from '../../shared/store/cursor';
import { keys } from '../../shared/store/keys';
import { rebuildSearchIndex } from '../../shared/store/search-rebuild';
import { createTwin, loadTwin, loadTwinParts } from '../../shared/store/twin-store';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

const actor = { sub: 'test', tenant: 'test' };
const table = () => config.tableName();

async function newAircraft(tenant: string, serialNumber: string, searchable: string[] = []) {
  const body = aircraftRecord(serialNumber, { attributes: { tailNumber: `TAIL-${serialNumber}` } });
  const record = newTwinRecord(body, ulid(), new Date());
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(),
    {
      searchable,
    },
  );
  return record.id;
}

const find = (tenant: string, q: string) =>
  withCursorBinding({ tenant, query: 'test' }, () => searchTenant(tenant, q, undefined, { limit: 100 }));

/** Every search item of the tenant, straight from the table (the index's own partitions). */
async function searchItemsOf(tenant: string, kind: string, id: string) {
  const answer = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenant}#SRCH#${kind}#${id}` },
    }),
  );
  return answer.Items ?? [];
}

describe('the search index on the embedded DynamoDB', () => {
  it('is written with the twin, in key ranges of its own that no twin read touches', async () => {
    const tenant = newTenant('index');
    const twinId = await newAircraft(tenant, 'IDX-1', ['tailNumber']);
    const items = await searchItemsOf(tenant, 'twin', twinId);
    expect(items.map((item) => item.SK).sort()).toEqual(
      [
        'I#idx-1#serialNumber',
        'I#a320-214#product.partNumber',
        'W#airbus#product.name',
        'W#a320#product.name',
        'I#tls#site',
        'I#tail-idx-1#attributes.tailNumber',
      ].sort(),
    );
    expect(items.every((item) => String(item.searchPK).startsWith(`TENANT#${tenant}#SEARCH#`))).toBe(true);
    const history = await loadTwin(tenant, twinId);
    expect(history?.record.serialNumber).toBe('IDX-1');
    const partition = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
      }),
    );
    expect((partition.Items ?? []).some((item) => item.searchPK !== undefined)).toBe(false);
  });

  it('reads what matches, not what the tenant holds', async () => {
    const tenant = newTenant('cost');
    for (let index = 0; index < 20; index++) await newAircraft(tenant, `BULK-${index}`);
    await newAircraft(tenant, 'NEEDLE-1');
    const before = dynamodbCalls.itemsRead;
    const answer = await find(tenant, 'needle-1');
    const read = dynamodbCalls.itemsRead - before;
    // the twin and its five serialized components (their serials start with the twin's), their METAs
    expect(answer.items.map((hit) => hit.kind)).toEqual([
      'twin',
      'component',
      'component',
      'component',
      'component',
      'component',
    ]);
    expect(read).toBeLessThanOrEqual(answer.items.length * 2 + 2);
  });

  it('writes nothing when the change set is refused', async () => {
    const tenant = newTenant('refused');
    const twinId = await newAircraft(tenant, 'REF-1');
    const twin = await loadTwinParts(tenant, twinId, { current: true });
    const replace = {
      reason: 'stale',
      operations: [
        {
          op: 'replace' as const,
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'NEVER-1', kind: 'electrical' as const },
        },
      ],
    };
    await expect(
      recordChangeSet(tenant, twin!, replace, { expectedVersion: 7, now: new Date(), actor }),
    ).rejects.toBeInstanceOf(PreconditionFailed);
    expect((await find(tenant, 'never-1')).items).toEqual([]);
    await recordChangeSet(tenant, twin!, replace, { expectedVersion: 1, now: new Date(), actor });
    expect((await find(tenant, 'never-1')).items).toEqual([
      expect.objectContaining({ kind: 'component', twinId, path: 'hvac/controller', installed: true }),
    ]);
  });

  it('is built by the migration for data written before it', async () => {
    const tenant = newTenant('rebuild');
    const twinId = await newAircraft(tenant, 'OLD-1');
    const items = await searchItemsOf(tenant, 'twin', twinId);
    await documentClient().send(
      new BatchWriteCommand({
        RequestItems: {
          [table()]: items.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
        },
      }),
    );
    expect((await find(tenant, 'old-1')).items.filter((hit) => hit.kind === 'twin')).toEqual([]);
    const result = await rebuildSearchIndex({ tenant });
    // the twin's 5 entries (serial, product, 2 name words, site), its 5 components' 2 each: no other tenant's
    expect(result.entries).toBe(15);
    expect((await find(tenant, 'old-1')).items.filter((hit) => hit.kind === 'twin')).toEqual([
      expect.objectContaining({ id: twinId }),
    ]);
  });
});
