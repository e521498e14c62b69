import { config } from '../config';
import { invalidField } from '../domain/errors';
import { keys, withoutKeys } from '../store/keys';
import { queryAll } from '../store/query';
import { INDEXES } from '../store/table';
import { UsageReads } from './usage-reads';

/**
 * Fleet reliability of a part number in [from, to): its removals by reason (list index, by time)
 * and the usage the fleet accrued on it meanwhile (each installation of the part number, open or
 * closed, from the fleet index, times what its twin accrued during the overlap). MTBUR is the hours
 * per unscheduled removal; unscheduled removals per 1,000 hours its inverse.
 */
export async function fleetRemovals(
  tenant: string,
  query: { partNumber: string; from: string; to: string; parameter: string },
) {
  const from = new Date(query.from).toISOString();
  const to = new Date(query.to).toISOString();
  if (to <= from) throw invalidField('query.to', 'must be after from');
  const removals = (
    await queryAll({
      TableName: config.tableName(),
      IndexName: INDEXES.list.name,
      KeyConditionExpression: 'listPK = :pk AND listSK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.removalIndex(tenant, query.partNumber),
        ':from': from,
        ':to': to,
      },
    })
  )
    .filter((item) => (item.at as string) < to)
    .map((item) => {
      const { entity: _e, id: _id, changeSetId: _c, ...removal } = withoutKeys(item);
      return removal as Record<string, unknown> & { reason: string };
    });
  const installations = (
    await Promise.all(
      [
        keys.fleetPartition(tenant, query.partNumber),
        keys.fleetHistoryPartition(tenant, query.partNumber),
      ].map((partition) =>
        queryAll({
          TableName: config.tableName(),
          IndexName: INDEXES.fleet.name,
          KeyConditionExpression: 'fleetPK = :pk',
          ExpressionAttributeValues: { ':pk': partition },
        }),
      ),
    )
  ).flat();
  const reads = new UsageReads(tenant);
  let accrued = 0;
  for (const installation of installations) {
    const start = (installation.validFrom as string) > from ? (installation.validFrom as string) : from;
    const validTo = installation.validTo as string | undefined;
    const end = validTo !== undefined && validTo < to ? validTo : to;
    if (start < end)
      accrued += await reads.accrued(installation.twinId as string, query.parameter, start, end);
  }
  const byReason: Record<string, number> = {};
  for (const removal of removals) byReason[removal.reason] = (byReason[removal.reason] ?? 0) + 1;
  const unscheduled = byReason.unscheduled ?? 0;
  return {
    partNumber: query.partNumber,
    from,
    to,
    parameter: query.parameter,
    removals: removals.length,
    byReason,
    unscheduled,
    accrued,
    unscheduledPer1000: accrued > 0 ? (unscheduled / accrued) * 1000 : null,
    mtbur: unscheduled > 0 ? accrued / unscheduled : null,
    items: removals,
  };
}
