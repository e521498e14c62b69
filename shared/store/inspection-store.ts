import { config } from '../config';
import { Conflict, NotFound } from '../domain/errors';
import type { InspectionRecord } from '../domain/inspection';
import { inspectionEntries } from '../domain/search';
import { eventItem } from './events';
import { twinActiveCheck, writeTransaction } from './guarded-transaction';
import { inspectionItem } from './items';
import { searchPuts } from './search-store';

const table = () => config.tableName();

/**
 * Records an inspection in one transaction: the `INSP#` item in the twin's partition (read back by
 * the twin's one Query), an `inspection.recorded` event in the tenant's change feed, and a check
 * that the twin is there and live. The twin's version does not move: an inspection records what
 * was found, it changes nothing (applying its discrepancies is a change set of its own).
 */
export async function recordInspection(
  tenant: string,
  twinId: string,
  inspection: InspectionRecord,
  now: Date,
): Promise<void> {
  await writeTransaction(
    tenant,
    [
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
    ],
    now,
  );
}
