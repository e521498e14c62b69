import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { invalidField, NotFound } from '../domain/errors';
import { lifeOf, remainingSortKey } from '../domain/usage';
import type { ComponentLife, LifeStatus, PartMaster } from '../schemas/usage';
import { documentClient } from '../store/clients';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { eventItem } from '../store/events';
import { keys } from '../store/keys';
import { getLifeEntry, partMaster, partMasters, putLifeEntry } from '../store/part-store';
import { INDEXES } from '../store/table';
import { loadTwinParts } from '../store/twin-store';
import { type SerialRecords, serialRecords, serialUsage, UsageReads } from './usage-reads';

/** A serial is scrapped once a removal recorded it so, for good. */
export const isScrapped = (serial: SerialRecords | null, asOf: string) =>
  serial?.removals.some((removal) => removal.condition === 'scrapped' && removal.at <= asOf) ?? false;

/**
 * The life of a serial at asOf as known at knownAt: each limit of its part master in force then, its
 * accumulated usage (TSN) and what remains. Only the parameters of its limits are read.
 */
export async function componentLife(
  tenant: string,
  identity: { partNumber: string; serialNumber: string },
  time: { asOf: string; knownAt?: string },
  context: {
    reads?: UsageReads;
    master?: PartMaster | null;
    serial?: SerialRecords | null;
    extraBalance?: SerialRecords['balances'][number];
  } = {},
): Promise<ComponentLife> {
  const master =
    context.master !== undefined
      ? context.master
      : await partMaster(tenant, identity.partNumber, time.knownAt);
  const serial =
    context.serial !== undefined
      ? context.serial
      : await serialRecords(tenant, identity.partNumber, identity.serialNumber, time.knownAt);
  const parameters = [...new Set((master?.lifeLimits ?? []).map((limit) => limit.parameter))];
  const reads = context.reads ?? new UsageReads(tenant, time.knownAt);
  const base: SerialRecords = serial ?? {
    ...identity,
    stays: [],
    balances: [],
    overhauls: [],
    removals: [],
    bornInFirstStay: false,
  };
  const usage =
    parameters.length === 0
      ? {}
      : await serialUsage(reads, base, parameters, time.asOf, context.extraBalance);
  return lifeOf(identity, master, usage, { asOf: time.asOf, scrapped: isScrapped(serial, time.asOf) });
}

/** Serialized components installed in a twin now and, through nested twins, below it. */
export async function installedSerials(
  tenant: string,
  twinId: string,
  depth = 0,
): Promise<{ twinId: string; path: string; partNumber: string; serialNumber: string; kind: string }[]> {
  const loaded = await loadTwinParts(tenant, twinId, { current: true });
  if (!loaded) return [];
  const found: Awaited<ReturnType<typeof installedSerials>> = [];
  for (const { position, installation } of loaded.state.current) {
    const component = installation?.component;
    if (!component?.serialNumber) continue;
    found.push({
      twinId,
      path: position.path,
      partNumber: component.partNumber,
      serialNumber: component.serialNumber,
      kind: component.kind,
    });
    if (component.twinId && depth < 3)
      found.push(...(await installedSerials(tenant, component.twinId, depth + 1)));
  }
  return found;
}

/** The LLP sheet of a unit: every life-limited part installed in it and its nested twins, with its life. */
export async function llpSheet(tenant: string, twinId: string, time: { asOf: string; knownAt?: string }) {
  const serials = await installedSerials(tenant, twinId);
  const masters = await partMasters(
    tenant,
    serials.map((serial) => serial.partNumber),
  );
  const reads = new UsageReads(tenant, time.knownAt);
  const items = [];
  for (const serial of serials) {
    const master = masters.get(serial.partNumber);
    if (!master?.llp) continue;
    const life = await componentLife(tenant, serial, time, { reads, master });
    items.push({ ...life, twinId: serial.twinId, path: serial.path, kind: serial.kind });
  }
  return { twinId, asOf: time.asOf, items };
}

/**
 * Life remaining of the life-limited parts among these installed ones (a work package's scope): one
 * BatchGet of their part masters, then each LLP's life at asOf.
 */
export async function lifeRemainingOf(
  tenant: string,
  installed: readonly { path: string; component: { partNumber: string; serialNumber?: string } | null }[],
  asOf: string,
) {
  const serials = installed.flatMap(({ path, component }) =>
    component?.serialNumber === undefined
      ? []
      : [{ path, partNumber: component.partNumber, serialNumber: component.serialNumber }],
  );
  if (serials.length === 0) return [];
  const masters = await partMasters(
    tenant,
    serials.map((serial) => serial.partNumber),
  );
  const reads = new UsageReads(tenant);
  const lives = [];
  for (const serial of serials.filter((candidate) => masters.get(candidate.partNumber)?.llp)) {
    const life = await componentLife(
      tenant,
      serial,
      { asOf },
      { reads, master: masters.get(serial.partNumber)! },
    );
    lives.push({ path: serial.path, ...life });
  }
  return lives;
}

/**
 * Keeps the fleet life index current for these serials (after usage on their unit, an install or
 * removal, a new part master): one entry per limit with the remaining life now, sorted by it, so a
 * fleet query reads only the parts below its threshold. A status that turns alert or expired writes
 * a `life.status-changed` event.
 */
export async function refreshLife(
  tenant: string,
  serials: readonly {
    partNumber: string;
    serialNumber: string;
    twinId?: string | null;
    path?: string | null;
  }[],
  now: Date,
  /** Masters the change that moved them already read (`of`: the part numbers asked, found or not). */
  known: { masters: ReadonlyMap<string, PartMaster>; of: ReadonlySet<string> } = {
    masters: new Map(),
    of: new Set(),
  },
) {
  if (serials.length === 0) return;
  const masters = new Map([
    ...known.masters,
    ...(await partMasters(
      tenant,
      serials.map((serial) => serial.partNumber).filter((partNumber) => !known.of.has(partNumber)),
    )),
  ]);
  const asOf = now.toISOString();
  const reads = new UsageReads(tenant);
  for (const serial of serials) {
    const master = masters.get(serial.partNumber);
    if (!master?.llp) continue;
    const life = await componentLife(tenant, serial, { asOf }, { reads, master });
    for (const limit of life.limits) {
      const previous = await getLifeEntry(tenant, { ...serial, parameter: limit.parameter });
      await putLifeEntry(
        tenant,
        {
          partNumber: serial.partNumber,
          serialNumber: serial.serialNumber,
          parameter: limit.parameter,
          limit: limit.limit,
          remaining: limit.remaining,
          status: limit.status,
          twinId: serial.twinId ?? previous?.twinId ?? null,
          path: serial.path ?? previous?.path ?? null,
          updatedAt: asOf,
        },
        remainingSortKey(limit.remaining),
      );
      if ((limit.status === 'alert' || limit.status === 'expired') && previous?.status !== limit.status)
        await documentClient().send(
          new PutCommand({
            TableName: config.tableName(),
            Item: eventItem(tenant, {
              type: 'life.status-changed',
              recordedAt: asOf,
              partNumber: serial.partNumber,
              serialNumber: serial.serialNumber,
              parameter: limit.parameter,
              status: limit.status,
              remaining: limit.remaining,
              ...(serial.twinId ? { twinId: serial.twinId } : {}),
            }),
          }),
        );
    }
  }
}

/**
 * Parts whose remaining life for one parameter is below a threshold, fewest remaining first: one
 * Query of the life index's key range below it per page, and a count over the same range (exact).
 */
export async function fleetLife(
  tenant: string,
  body: { remainingBelow: Record<string, number> },
  page: { limit: number; cursor?: string },
) {
  const [parameter, below] = Object.entries(body.remainingBelow)[0]!;
  const partition = keys.lifeIndex(tenant, parameter);
  const scope = JSON.stringify(['fleet-life', parameter, below]);
  const start = decodeCursor(scope, page.cursor);
  if (start !== undefined && start.listPK !== partition)
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  const condition = {
    IndexName: INDEXES.list.name,
    KeyConditionExpression: 'listPK = :pk AND listSK < :below',
    ExpressionAttributeValues: { ':pk': partition, ':below': remainingSortKey(below) },
  };
  const [result, total] = await Promise.all([
    documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        ...condition,
        Limit: page.limit,
        ExclusiveStartKey: start,
      }),
    ),
    countBelow(condition),
  ]);
  const items = (result.Items ?? []).map((item) => ({
    partNumber: item.partNumber as string,
    serialNumber: item.serialNumber as string,
    parameter: item.parameter as string,
    limit: item.limit as number,
    remaining: item.remaining as number,
    status: item.status as LifeStatus,
    twinId: (item.twinId as string | null) ?? null,
    path: (item.path as string | null) ?? null,
    updatedAt: item.updatedAt as string,
  }));
  return {
    total,
    items,
    ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(scope, result.LastEvaluatedKey) } : {}),
  };
}

async function countBelow(condition: Record<string, unknown>) {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        ...condition,
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    total += result.Count ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return total;
}

/** A serial must exist to be asked about. */
export async function knownSerial(
  tenant: string,
  partNumber: string,
  serialNumber: string,
  knownAt?: string,
) {
  const serial = await serialRecords(tenant, partNumber, serialNumber, knownAt);
  if (!serial) throw new NotFound(`No component ${partNumber} serial ${serialNumber}`);
  return serial;
}
