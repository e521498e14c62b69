import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../infra/local/dynamodb';

const TABLE = 'transactions-test';
const GSI = 'byStatus';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

async function createTable(client: DynamoDBClient, TableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'gsiPK', AttributeType: 'S' },
        { AttributeName: 'gsiSK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: GSI,
          KeySchema: [
            { AttributeName: 'gsiPK', KeyType: 'HASH' },
            { AttributeName: 'gsiSK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${TableName} never became ACTIVE`);
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the request to fail');
}

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sequence = 0;
/** A partition key of its own for each use, so tests share the table without seeing each other's items. */
const pk = (name: string) => `${name}#${++sequence}`;

const get = async (PK: string, SK = 'item') =>
  (await doc.send(new GetCommand({ TableName: TABLE, Key: { PK, SK }, ConsistentRead: true }))).Item;
const put = (item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: TABLE, Item: item }));
const transact = (TransactItems: TransactItems, ClientRequestToken?: string) =>
  doc.send(new TransactWriteCommand({ TransactItems, ClientRequestToken }));
const queryIndex = async (gsiPK: string) =>
  (
    await doc.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: GSI,
        KeyConditionExpression: 'gsiPK = :pk',
        ExpressionAttributeValues: { ':pk': gsiPK },
      }),
    )
  ).Items;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  client = clientFor(dynamo.endpoint);
  doc = DynamoDBDocumentClient.from(client);
  await createTable(client, TABLE);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

describe('TransactWriteItems', () => {
  it('applies Put, Update, Delete and ConditionCheck together', async () => {
    // Prepare
    const [added, updated, deleted, checked] = [pk('added'), pk('updated'), pk('deleted'), pk('checked')];
    await put({ PK: updated, SK: 'item', version: 1 });
    await put({ PK: deleted, SK: 'item' });
    await put({ PK: checked, SK: 'item', status: 'active' });

    // Act
    const result = await transact([
      {
        Put: {
          TableName: TABLE,
          Item: { PK: added, SK: 'item', name: 'new' },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Update: {
          TableName: TABLE,
          Key: { PK: updated, SK: 'item' },
          UpdateExpression: 'SET version = version + :one, #n = :name',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':one': 1, ':expected': 1, ':name': 'renamed' },
        },
      },
      {
        Delete: {
          TableName: TABLE,
          Key: { PK: deleted, SK: 'item' },
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      {
        ConditionCheck: {
          TableName: TABLE,
          Key: { PK: checked, SK: 'item' },
          ConditionExpression: '#s = :active',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
        },
      },
    ]);

    // Assess
    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(await get(added)).toEqual({ PK: added, SK: 'item', name: 'new' });
    expect(await get(updated)).toEqual({ PK: updated, SK: 'item', version: 2, name: 'renamed' });
    expect(await get(deleted)).toBeUndefined();
    expect(await get(checked)).toEqual({ PK: checked, SK: 'item', status: 'active' });
  });

  it('cancels the whole transaction when one condition fails, with one reason per entry', async () => {
    // Prepare
    const [added, updated, deleted] = [pk('added'), pk('updated'), pk('deleted')];
    await put({ PK: updated, SK: 'item', version: 1 });
    await put({ PK: deleted, SK: 'item' });

    // Act
    const err = await rejection(
      transact([
        { Put: { TableName: TABLE, Item: { PK: added, SK: 'item' } } },
        {
          Update: {
            TableName: TABLE,
            Key: { PK: updated, SK: 'item' },
            UpdateExpression: 'SET version = :next',
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':next': 6, ':expected': 5 },
          },
        },
        { Delete: { TableName: TABLE, Key: { PK: deleted, SK: 'item' } } },
      ]),
    );

    // Assess
    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]',
    );
    expect((err as unknown as TransactionCanceledException).$metadata.httpStatusCode).toBe(400);
    expect((err as unknown as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
    ]);
    expect(await get(added)).toBeUndefined();
    expect(await get(updated)).toEqual({ PK: updated, SK: 'item', version: 1 });
    expect(await get(deleted)).toEqual({ PK: deleted, SK: 'item' });
  });

  it('evaluates every condition, reporting each failing entry', async () => {
    // Prepare
    const [existing, missing] = [pk('existing'), pk('missing')];
    await put({ PK: existing, SK: 'item' });

    // Act
    const err = await rejection(
      transact([
        {
          Put: {
            TableName: TABLE,
            Item: { PK: existing, SK: 'item', replaced: true },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: { PK: missing, SK: 'item' },
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ]),
    );

    // Assess
    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect((err as unknown as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'ConditionalCheckFailed',
      'ConditionalCheckFailed',
    ]);
    expect(await get(existing)).toEqual({ PK: existing, SK: 'item' });
  });

  it('returns the current item in the reason with ReturnValuesOnConditionCheckFailure ALL_OLD', async () => {
    // Prepare
    const [versioned, missing, quiet] = [pk('versioned'), pk('missing'), pk('quiet')];
    await put({ PK: versioned, SK: 'item', version: 3, tags: ['a'] });
    await put({ PK: quiet, SK: 'item', version: 1 });

    // Act
    const err = await rejection(
      transact([
        {
          Update: {
            TableName: TABLE,
            Key: { PK: versioned, SK: 'item' },
            UpdateExpression: 'SET version = :next',
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':next': 2, ':expected': 1 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: { PK: missing, SK: 'item' },
            ConditionExpression: 'attribute_exists(PK)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Delete: {
            TableName: TABLE,
            Key: { PK: quiet, SK: 'item' },
            ConditionExpression: 'version = :two',
            ExpressionAttributeValues: { ':two': 2 },
          },
        },
      ]),
    );

    // Assess
    expect(err).toBeInstanceOf(TransactionCanceledException);
    const reasons = (err as unknown as TransactionCanceledException).CancellationReasons;
    expect(reasons).toEqual([
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { PK: { S: versioned }, SK: { S: 'item' }, version: { N: '3' }, tags: { L: [{ S: 'a' }] } },
      },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(reasons?.[1]).not.toHaveProperty('Item', expect.anything());
    expect(reasons?.[2]).not.toHaveProperty('Item', expect.anything());
  });

  it('answers the low-level client the same way, reasons included', async () => {
    // Prepare
    const taken = pk('taken');
    await put({ PK: taken, SK: 'item', owner: 'first' });

    // Act
    const err = await rejection(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: TABLE,
                Item: { PK: { S: taken }, SK: { S: 'item' }, owner: { S: 'second' } },
                ConditionExpression: 'attribute_not_exists(PK)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );

    // Assess
    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect((err as unknown as TransactionCanceledException).CancellationReasons).toEqual([
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { PK: { S: taken }, SK: { S: 'item' }, owner: { S: 'first' } },
      },
    ]);
  });

  it('accepts a ClientRequestToken', async () => {
    // Prepare
    const added = pk('token');

    // Act
    await transact([{ Put: { TableName: TABLE, Item: { PK: added, SK: 'item' } } }], 'token-1234');

    // Assess
    expect(await get(added)).toEqual({ PK: added, SK: 'item' });
  });

  it('undoes the writes already made when a later write is refused, with a ValidationError reason', async () => {
    // Prepare
    const [added, replaced, text] = [pk('added'), pk('replaced'), pk('text')];
    await put({ PK: replaced, SK: 'item', gsiPK: `status#${replaced}`, gsiSK: 'old' });
    await put({ PK: text, SK: 'item', count: 'not a number' });

    // Act
    const err = await rejection(
      transact([
        { Put: { TableName: TABLE, Item: { PK: added, SK: 'item', gsiPK: `status#${added}`, gsiSK: 'x' } } },
        {
          Put: {
            TableName: TABLE,
            Item: { PK: replaced, SK: 'item', gsiPK: `status#${replaced}`, gsiSK: 'new' },
          },
        },
        {
          Update: {
            TableName: TABLE,
            Key: { PK: text, SK: 'item' },
            UpdateExpression: 'SET #c = #c + :one',
            ExpressionAttributeNames: { '#c': 'count' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ]),
    );

    // Assess
    expect(err).toBeInstanceOf(TransactionCanceledException);
    const reasons = (err as unknown as TransactionCanceledException).CancellationReasons;
    expect(reasons?.map((r) => r.Code)).toEqual(['None', 'None', 'ValidationError']);
    expect(reasons?.[2]?.Message).toMatch(/incorrect data type/);
    expect(await get(added)).toBeUndefined();
    expect(await get(replaced)).toEqual({
      PK: replaced,
      SK: 'item',
      gsiPK: `status#${replaced}`,
      gsiSK: 'old',
    });
    expect(await get(text)).toEqual({ PK: text, SK: 'item', count: 'not a number' });
    expect(await queryIndex(`status#${added}`)).toEqual([]);
    expect((await queryIndex(`status#${replaced}`))?.map((item) => item.gsiSK)).toEqual(['old']);
  });

  describe('validation', () => {
    it('refuses two operations on one item', async () => {
      // Prepare
      const same = pk('same');

      // Act
      const err = await rejection(
        transact([
          { Put: { TableName: TABLE, Item: { PK: same, SK: 'item', n: 1 } } },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: { PK: same, SK: 'item' },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ]),
      );

      // Assess
      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe('Transaction request cannot include multiple operations on one item');
      expect(await get(same)).toBeUndefined();
    });

    it('accepts the same key in two different tables', async () => {
      // Prepare
      const other = 'transactions-other';
      await createTable(client, other);
      const same = pk('same');

      // Act
      await transact([
        { Put: { TableName: TABLE, Item: { PK: same, SK: 'item' } } },
        { Put: { TableName: other, Item: { PK: same, SK: 'item' } } },
      ]);

      // Assess
      expect(await get(same)).toEqual({ PK: same, SK: 'item' });
      const { Item } = await doc.send(new GetCommand({ TableName: other, Key: { PK: same, SK: 'item' } }));
      expect(Item).toEqual({ PK: same, SK: 'item' });
    });

    it('refuses more than 100 items', async () => {
      // Prepare
      const base = pk('many');
      const items: TransactItems = Array.from({ length: 101 }, (_, i) => ({
        Put: { TableName: TABLE, Item: { PK: base, SK: `item-${i}` } },
      }));

      // Act
      const err = await rejection(transact(items));

      // Assess
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/transactItems.*less than or equal to 100/);
      expect(await get(base, 'item-0')).toBeUndefined();
    });

    it('accepts exactly 100 items', async () => {
      // Prepare
      const base = pk('hundred');
      const items: TransactItems = Array.from({ length: 100 }, (_, i) => ({
        Put: { TableName: TABLE, Item: { PK: base, SK: `item-${i}` } },
      }));

      // Act
      await transact(items);

      // Assess
      expect(await get(base, 'item-0')).toBeDefined();
      expect(await get(base, 'item-99')).toBeDefined();
    });

    it('refuses more than 4 MB in total, and accepts just under', async () => {
      // Prepare
      const base = pk('large');
      const payload = 'x'.repeat(390_000);
      const items = (count: number, prefix: string): TransactItems =>
        Array.from({ length: count }, (_, i) => ({
          Put: { TableName: TABLE, Item: { PK: base, SK: `${prefix}-${i}`, payload } },
        }));

      // Act
      const err = await rejection(transact(items(11, 'over')));
      await transact(items(10, 'under'));

      // Assess
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/4 MB/);
      expect(await get(base, 'over-0')).toBeUndefined();
      expect((await get(base, 'under-9'))?.payload).toHaveLength(390_000);
    });

    it('refuses an empty list', async () => {
      // Act
      const err = await rejection(transact([]));

      // Assess
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/transactItems.*greater than or equal to 1/);
    });

    it('validates each entry like the single operation', async () => {
      // Prepare
      const key = { PK: pk('invalid'), SK: 'item' };

      // Act
      const unused = await rejection(
        transact([
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: key,
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeValues: { ':unused': 1 },
            },
          },
        ]),
      );
      const keyUpdate = await rejection(
        transact([
          {
            Update: {
              TableName: TABLE,
              Key: key,
              UpdateExpression: 'SET PK = :pk',
              ExpressionAttributeValues: { ':pk': 'other' },
            },
          },
        ]),
      );
      const badSyntax = await rejection(
        transact([{ Delete: { TableName: TABLE, Key: key, ConditionExpression: 'PK = = x' } }]),
      );
      const missingKey = await rejection(transact([{ Delete: { TableName: TABLE, Key: { PK: key.PK } } }]));
      const missingTable = await rejection(
        transact([{ Put: { TableName: 'no-such-table', Item: { PK: key.PK, SK: 'item' } } }]),
      );
      const twoKinds = await rejection(
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: { TableName: TABLE, Item: { PK: { S: key.PK }, SK: { S: 'item' } } },
                Delete: { TableName: TABLE, Key: { PK: { S: key.PK }, SK: { S: 'item' } } },
              },
            ],
          }),
        ),
      );

      // Assess
      expect(unused.name).toBe('ValidationException');
      expect(unused.message).toMatch(/ExpressionAttributeValues unused/);
      expect(keyUpdate.name).toBe('ValidationException');
      expect(keyUpdate.message).toMatch(/Cannot update attribute PK/);
      expect(badSyntax.name).toBe('ValidationException');
      expect(badSyntax.message).toMatch(/Invalid ConditionExpression/);
      expect(missingKey.name).toBe('ValidationException');
      expect(missingKey.message).toMatch(/key element does not match the schema/);
      expect(missingTable.name).toBe('ResourceNotFoundException');
      expect(twoKinds.name).toBe('ValidationException');
      expect(twoKinds.message).toBe('TransactItems can only contain one of Check, Put, Update or Delete');
      expect(await get(key.PK)).toBeUndefined();
    });
  });

  it('keeps the global secondary index up to date', async () => {
    // Prepare
    const [first, second] = [pk('indexed'), pk('indexed')];
    const status = `status#${pk('gsi')}`;

    // Act
    await transact([
      { Put: { TableName: TABLE, Item: { PK: first, SK: 'item', gsiPK: status, gsiSK: '1' } } },
      { Put: { TableName: TABLE, Item: { PK: second, SK: 'item', gsiPK: status, gsiSK: '2' } } },
    ]);
    const afterPut = await queryIndex(status);
    await transact([
      {
        Update: {
          TableName: TABLE,
          Key: { PK: first, SK: 'item' },
          UpdateExpression: 'SET gsiSK = :sk',
          ExpressionAttributeValues: { ':sk': '3' },
        },
      },
      { Delete: { TableName: TABLE, Key: { PK: second, SK: 'item' } } },
    ]);
    const afterUpdate = await queryIndex(status);

    // Assess
    expect(afterPut?.map((item) => item.PK)).toEqual([first, second]);
    expect(afterUpdate).toEqual([{ PK: first, SK: 'item', gsiPK: status, gsiSK: '3' }]);
  });

  describe('isolation', () => {
    it('lets exactly one of 20 concurrent attribute_not_exists puts win', async () => {
      // Prepare
      const contested = pk('contested');

      // Act
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          transact([
            {
              Put: {
                TableName: TABLE,
                Item: { PK: contested, SK: 'item', owner: `writer-${i}` },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            { Put: { TableName: TABLE, Item: { PK: contested, SK: `claim-${i}` } } },
          ]),
        ),
      );

      // Assess
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(TransactionCanceledException);
          expect((result.reason as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe(
            'ConditionalCheckFailed',
          );
        }
      }
      expect((await get(contested))?.owner).toBe(`writer-${winners[0]}`);
      const claims = await doc.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :claim)',
          ExpressionAttributeValues: { ':pk': contested, ':claim': 'claim-' },
        }),
      );
      expect(claims.Items?.map((item) => item.SK)).toEqual([`claim-${winners[0]}`]);
    });

    it('lets exactly one of 20 concurrent version-conditioned updates win', async () => {
      // Prepare
      const versioned = pk('versioned');
      await put({ PK: versioned, SK: 'item', version: 0 });

      // Act
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          transact([
            {
              Update: {
                TableName: TABLE,
                Key: { PK: versioned, SK: 'item' },
                UpdateExpression: 'SET version = :next, writer = :writer',
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':next': 1, ':expected': 0, ':writer': i },
              },
            },
          ]),
        ),
      );

      // Assess
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await get(versioned)).toEqual({ PK: versioned, SK: 'item', version: 1, writer: winners[0] });
    });

    it('keeps an invariant across items under concurrent transfers and plain writes', async () => {
      // Prepare
      const [from, to] = [pk('from'), pk('to')];
      await put({ PK: from, SK: 'item', balance: 50 });
      await put({ PK: to, SK: 'item', balance: 0 });
      const transfer = () =>
        transact([
          {
            Update: {
              TableName: TABLE,
              Key: { PK: from, SK: 'item' },
              UpdateExpression: 'SET balance = balance - :amount',
              ConditionExpression: 'balance >= :amount',
              ExpressionAttributeValues: { ':amount': 10 },
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: { PK: to, SK: 'item' },
              UpdateExpression: 'SET balance = balance + :amount',
              ExpressionAttributeValues: { ':amount': 10 },
            },
          },
        ]);
      const noise = (i: number) => put({ PK: pk('noise'), SK: 'item', i });

      // Act
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => [transfer(), noise(i)]).flat(),
      );

      // Assess
      const transfers = results.filter((_, i) => i % 2 === 0);
      expect(transfers.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
      expect(results.filter((_, i) => i % 2 === 1).every((result) => result.status === 'fulfilled')).toBe(
        true,
      );
      expect((await get(from))?.balance).toBe(0);
      expect((await get(to))?.balance).toBe(50);
    });
  });
});

describe('single-item operations', () => {
  it('still serves PutItem, GetItem and Query', async () => {
    // Prepare
    const partition = pk('plain');
    const status = `status#${partition}`;

    // Act
    await put({ PK: partition, SK: 'a', gsiPK: status, gsiSK: '1', n: 1 });
    await put({ PK: partition, SK: 'b', n: 2 });
    const item = await get(partition, 'a');
    const { Items } = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
      }),
    );
    const indexed = await queryIndex(status);

    // Assess
    expect(item).toEqual({ PK: partition, SK: 'a', gsiPK: status, gsiSK: '1', n: 1 });
    expect(Items?.map((i) => i.SK)).toEqual(['a', 'b']);
    expect(indexed?.map((i) => i.SK)).toEqual(['a']);
  });

  it('returns the current item on ConditionalCheckFailedException with ALL_OLD', async () => {
    // Prepare
    const existing = pk('existing');
    await put({ PK: existing, SK: 'item', owner: 'first' });

    // Act
    const withItem = await rejection(
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { PK: existing, SK: 'item', owner: 'second' },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    const withoutItem = await rejection(
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { PK: existing, SK: 'item', owner: 'second' },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );

    // Assess
    expect(withItem).toBeInstanceOf(ConditionalCheckFailedException);
    expect((withItem as unknown as ConditionalCheckFailedException).Item).toEqual({
      PK: { S: existing },
      SK: { S: 'item' },
      owner: { S: 'first' },
    });
    expect(withoutItem).toBeInstanceOf(ConditionalCheckFailedException);
    expect((withoutItem as unknown as ConditionalCheckFailedException).Item).toBeUndefined();
    expect((await get(existing))?.owner).toBe('first');
  });
});

describe('TransactGetItems', () => {
  it('returns the items in order, a missing one as {}', async () => {
    // Prepare
    const [first, missing, third] = [pk('first'), pk('missing'), pk('third')];
    await put({ PK: first, SK: 'item', n: 1, nested: { a: 1, b: 2 } });
    await put({ PK: third, SK: 'item', n: 3 });

    // Act
    const { Responses } = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: TABLE, Key: { PK: third, SK: 'item' } } },
          { Get: { TableName: TABLE, Key: { PK: missing, SK: 'item' } } },
          {
            Get: {
              TableName: TABLE,
              Key: { PK: first, SK: 'item' },
              ProjectionExpression: '#n, nested.a',
              ExpressionAttributeNames: { '#n': 'n' },
            },
          },
        ],
      }),
    );

    // Assess
    expect(Responses).toEqual([
      { Item: { PK: third, SK: 'item', n: 3 } },
      {},
      { Item: { n: 1, nested: { a: 1 } } },
    ]);
  });

  it('validates the request', async () => {
    // Prepare
    const base = pk('get');
    const gets = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        Get: { TableName: TABLE, Key: { PK: base, SK: `item-${i}` } },
      }));

    // Act
    const tooMany = await rejection(doc.send(new TransactGetCommand({ TransactItems: gets(101) })));
    const empty = await rejection(doc.send(new TransactGetCommand({ TransactItems: [] })));
    const duplicate = await rejection(
      doc.send(new TransactGetCommand({ TransactItems: [...gets(1), ...gets(1)] })),
    );
    const { Responses } = await doc.send(new TransactGetCommand({ TransactItems: gets(100) }));

    // Assess
    expect(tooMany.name).toBe('ValidationException');
    expect(empty.name).toBe('ValidationException');
    expect(duplicate.name).toBe('ValidationException');
    expect(duplicate.message).toBe('Transaction request cannot include multiple operations on one item');
    expect(Responses).toHaveLength(100);
  });
});

describe('persistence', () => {
  it('keeps transactional writes across close and reopen of the same path', async () => {
    // Prepare
    const path = await mkdtemp(join(tmpdir(), 'local-dynamo-'));
    try {
      const first = await startLocalDynamo({ path });
      const firstClient = clientFor(first.endpoint);
      await createTable(firstClient, 'persisted');
      await DynamoDBDocumentClient.from(firstClient).send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 'persisted', Item: { PK: 'kept', SK: 'item', n: 1 } } },
            { Put: { TableName: 'persisted', Item: { PK: 'kept', SK: 'other', n: 2 } } },
          ],
        }),
      );
      firstClient.destroy();

      // Act
      await first.close();
      await first.close();
      const second = await startLocalDynamo({ path });
      const secondClient = clientFor(second.endpoint);
      let responses: unknown;
      try {
        responses = (
          await DynamoDBDocumentClient.from(secondClient).send(
            new TransactGetCommand({
              TransactItems: [
                { Get: { TableName: 'persisted', Key: { PK: 'kept', SK: 'other' } } },
                { Get: { TableName: 'persisted', Key: { PK: 'kept', SK: 'item' } } },
              ],
            }),
          )
        ).Responses;
      } finally {
        secondClient.destroy();
        await second.close();
      }

      // Assess
      expect(responses).toEqual([
        { Item: { PK: 'kept', SK: 'other', n: 2 } },
        { Item: { PK: 'kept', SK: 'item', n: 1 } },
      ]);
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  });
});
