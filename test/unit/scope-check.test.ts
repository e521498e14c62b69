import { describe, expect, it } from 'vitest';
import { checkDynamoScope, checkObjectScope, partitionsOf } from '../../shared/store/scope-check';

const scope = { tenant: 'acme' };
const mine = 'TENANT#acme#TWIN#1';
const theirs = 'TENANT#other#TWIN#1';

describe('the local scope check (what the tenant-scoped role refuses deployed)', () => {
  it('finds the partition keys of every command shape, marshalled or not', () => {
    expect(partitionsOf('GetItemCommand', { Key: { PK: mine, SK: 'META' } })).toEqual([mine]);
    expect(partitionsOf('PutItemCommand', { Item: { PK: { S: mine } } })).toEqual([mine]);
    expect(
      partitionsOf('QueryCommand', {
        IndexName: 'search',
        KeyConditionExpression: '#pk = :p AND begins_with(searchSK, :s)',
        ExpressionAttributeNames: { '#pk': 'searchPK' },
        ExpressionAttributeValues: { ':p': theirs, ':s': 'x' },
      }),
    ).toEqual([theirs]);
    expect(
      partitionsOf('TransactWriteItemsCommand', {
        TransactItems: [{ Put: { Item: { PK: mine } } }, { ConditionCheck: { Key: { PK: theirs } } }],
      }),
    ).toEqual([mine, theirs]);
    expect(
      partitionsOf('BatchWriteItemCommand', {
        RequestItems: {
          t: [{ PutRequest: { Item: { PK: mine } } }, { DeleteRequest: { Key: { PK: theirs } } }],
        },
      }),
    ).toEqual([mine, theirs]);
    expect(partitionsOf('BatchGetItemCommand', { RequestItems: { t: { Keys: [{ PK: theirs }] } } })).toEqual([
      theirs,
    ]);
    expect(partitionsOf('ScanCommand', {})).toBeNull();
  });

  it("refuses another tenant's keys, a Scan and foreign objects inside a scope; allows its own and the peer's", () => {
    expect(() => checkDynamoScope('GetItemCommand', { Key: { PK: mine } }, scope)).not.toThrow();
    expect(() => checkDynamoScope('GetItemCommand', { Key: { PK: theirs } }, scope)).toThrow(/AccessDenied/);
    // a tenant id that merely starts like ours is another tenant
    expect(() => checkDynamoScope('GetItemCommand', { Key: { PK: 'TENANT#acme2#X' } }, scope)).toThrow();
    expect(() =>
      checkDynamoScope('GetItemCommand', { Key: { PK: theirs } }, { tenant: 'acme', peer: 'other' }),
    ).not.toThrow();
    expect(() => checkDynamoScope('ScanCommand', {}, scope)).toThrow(/no partition key/);
    expect(() => checkObjectScope('tenants/acme/documents/1/1', scope)).not.toThrow();
    expect(() => checkObjectScope('tenants/other/documents/1/1', scope)).toThrow(/AccessDenied/);
  });

  it('checks nothing outside a scope (operator scripts, the local migration)', () => {
    expect(() => checkDynamoScope('ScanCommand', {}, undefined)).not.toThrow();
    expect(() => checkObjectScope('tenants/other/x', undefined)).not.toThrow();
  });
});
