import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { AppError, Conflict, NotFound } from '../domain/errors';
import type { InspectionRecord } from '../domain/inspection';
import { isLater, type Judgement, judgementKey, judgementsOf } from '../domain/judgement';
import { inspectionEntries } from '../domain/search';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { eventItem } from './events';
import { twinActiveCheck, type Write, writeTransaction } from './guarded-transaction';
import { inspectionItem, judgedItem, toInspection, toJudgement } from './items';
import { keys } from './keys';
import { queryAll } from './query';
import { searchPuts } from './search-store';
import { chunk, MAX_TRANSACTION_ITEMS } from './transact';

const table = () => config.tableName();

/** A judgement another inspection wrote between our read and our write: read again. */
class JudgedMeanwhile extends AppError {
  constructor() {
    super(409, 'Conflict', 'Another inspection of the same positions was recorded at the same time: retry');
  }
}

const MAX_ATTEMPTS = 5;

/**
 * Records an inspection in one transaction: the `INSP#` item in the twin's partition, the
 * `JUDGED#<path>` item of each observed position where it is now the last judgement (read first,
 * each put conditioned on no later one having come in meanwhile: then it is read again), an
 * `inspection.recorded` event in the tenant's change feed, and a check that the twin is there and
 * live. An inspection of more positions than one transaction holds writes the judgements of the
 * rest right after, 100 per transaction. The twin's version does not move: an inspection records
 * what was found, it changes nothing (applying its discrepancies is a change set of its own).
 */
export async function recordInspection(
  tenant: string,
  twinId: string,
  inspection: InspectionRecord,
  now: Date,
): Promise<void> {
  const writes = inspectionWrites(tenant, twinId, inspection);
  const judgements = judgementsOf(inspection);
  const first = MAX_TRANSACTION_ITEMS - writes.length;
  await writeJudgements(tenant, twinId, judgements.slice(0, first), writes, now);
  for (const rest of chunk(judgements.slice(first), MAX_TRANSACTION_ITEMS))
    await writeJudgements(tenant, twinId, rest, [], now);
}

/** One transaction of `writes` and the judgements that are later than the stored ones (read again on a race). */
async function writeJudgements(
  tenant: string,
  twinId: string,
  judgements: Judgement[],
  writes: Write[],
  now: Date,
) {
  for (let attempt = 1; ; attempt++) {
    const stored = new Map(
      (await batchGetItems(judgements.map(({ path }) => keys.judged(tenant, twinId, path)))).map((item) => {
        const judgement = toJudgement(item);
        return [judgement.path, judgement];
      }),
    );
    const later = judgements.filter((judgement) => isLater(judgement, stored.get(judgement.path)));
    if (writes.length + later.length === 0) return;
    try {
      await writeTransaction(tenant, [...writes, ...later.map(judgedWrite(tenant, twinId))], now);
      return;
    } catch (error) {
      if (!(error instanceof JudgedMeanwhile) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

const judgedWrite =
  (tenant: string, twinId: string) =>
  (judgement: Judgement): Write => ({
    entry: {
      Put: {
        TableName: table(),
        Item: judgedItem(tenant, twinId, judgement),
        ConditionExpression: 'attribute_not_exists(judgedKey) OR judgedKey < :key',
        ExpressionAttributeValues: { ':key': judgementKey(judgement) },
      },
    },
    onConditionFailed: () => new JudgedMeanwhile(),
  });

/**
 * The last judgements of the positions in `position`'s subtree (the item at the position and the
 * range under `<position>/`): what decides its open discrepancies, whatever the number of inspections.
 */
export async function judgementsIn(tenant: string, twinId: string, position: string): Promise<Judgement[]> {
  const partition = keys.twinPartition(tenant, twinId);
  const [own, below] = await Promise.all([
    documentClient().send(
      new GetCommand({
        TableName: table(),
        Key: keys.judged(tenant, twinId, position),
        ConsistentRead: true,
      }),
    ),
    queryAll({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': partition,
        ':prefix': `${keys.judged(tenant, twinId, position).SK}/`,
      },
      ConsistentRead: true,
    }),
  ]);
  return [...(own.Item ? [own.Item] : []), ...below].map(toJudgement);
}

/** One inspection by its key (the last one a judgement names), or null. */
export async function inspectionAt(
  tenant: string,
  twinId: string,
  key: { performedAt: string; id: string },
): Promise<InspectionRecord | null> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.inspection(tenant, twinId, key), ConsistentRead: true }),
  );
  return Item ? toInspection(Item) : null;
}

function inspectionWrites(tenant: string, twinId: string, inspection: InspectionRecord): Write[] {
  return [
    {
      entry: twinActiveCheck(tenant, twinId),
      onConditionFailed: () => new NotFound(`No twin ${twinId}`),
    },
    {
      entry: {
        Put: {
          TableName: table(),
          Item: inspectionItem(tenant, twinId, inspection),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: () => new Conflict(`An inspection with id ${inspection.id} already exists`),
    },
    {
      entry: {
        Put: {
          TableName: table(),
          Item: eventItem(tenant, {
            type: 'inspection.recorded',
            twinId,
            inspectionId: inspection.id,
            performedAt: inspection.performedAt,
            recordedAt: inspection.recordedAt,
            discrepancies: inspection.discrepancies.length,
            // where: so that the feed, read through a view, shows only inspections of what it shows
            paths: inspection.observed.map((observation) => observation.path),
            discrepancyPaths: inspection.discrepancies.map((discrepancy) => discrepancy.path),
            actor: inspection.actor,
          }),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    ...searchPuts(tenant, inspectionEntries(twinId, inspection)).map((entry) => ({ entry })),
  ];
}
