import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { currentStateOf } from '../domain/current';
import { AppError } from '../domain/errors';
import type { ImportIds, ImportPlan } from '../domain/import';
import { inspectionEntries } from '../domain/search';
import { asBuiltWrites, PENDING_LEASE_MS } from './as-built-writes';
import { documentClient } from './clients';
import { stateItems, stateMeta } from './current-items';
import { eventItem } from './events';
import { ACTIVE, type Write } from './guarded-transaction';
import {
  baselineItem,
  baselineNameItem,
  changeSetItem,
  ENTITY,
  inspectionItem,
  installationItem,
  positionItem,
  twinFieldsItem,
} from './items';
import { keys } from './keys';
import { writeUnderLease } from './leased-write';
import { searchItem } from './search-store';
import type { TransactEntry } from './transact';

const table = () => config.tableName();

/** What an import marker keeps: the copy's id and the new ids, in the export's canonical order. */
export interface ImportMarker {
  twinId: string;
  source: ImportPlan['source'];
  ids: ImportIds;
  notes: string[];
  importedAt: string;
  transactions: number;
}

/** The copy made by an earlier import of the same source twin (thrown by the marker's guard). */
export class AlreadyImported extends AppError {
  constructor(readonly marker: ImportMarker) {
    super(
      409,
      'Conflict',
      `Twin ${marker.source.twinId} of ${marker.source.tenant} was imported as ${marker.twinId}`,
    );
  }
}

const toMarker = (item: Record<string, unknown>): ImportMarker => ({
  twinId: item.twinId as string,
  source: item.source as ImportMarker['source'],
  ids: item.ids as ImportIds,
  notes: (item.notes as string[] | undefined) ?? [],
  importedAt: item.importedAt as string,
  transactions: (item.transactions as number | undefined) ?? 1,
});

/** The marker of an earlier import of this source twin, if its copy is visible (active). */
export async function findImport(
  tenant: string,
  source: { tenant: string; twinId: string },
): Promise<ImportMarker | null> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.importMarker(tenant, source), ConsistentRead: true }),
  );
  if (!Item) return null;
  const { Item: meta } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.twinMeta(tenant, Item.twinId as string),
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  return meta?.status === ACTIVE ? toMarker(Item) : null;
}

/** The marker is a uniqueness guard like the serial's: taken over from an import that died. */
function markerWrite(tenant: string, plan: ImportPlan, transactions: number): Write {
  const item = {
    ...keys.importMarker(tenant, plan.source),
    entity: 'import-marker',
    twinId: plan.ids.twin,
    source: plan.source,
    ids: plan.ids,
    notes: plan.notes,
    importedAt: plan.history.record.importedFrom.importedAt,
    transactions,
  };
  const put = (condition: string, values?: Record<string, unknown>): TransactEntry => ({
    Put: {
      TableName: table(),
      Item: item,
      ConditionExpression: condition,
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  return {
    entry: put('attribute_not_exists(PK)'),
    undo: {
      Delete: {
        TableName: table(),
        Key: keys.importMarker(tenant, plan.source),
        ConditionExpression: 'twinId = :twin',
        ExpressionAttributeValues: { ':twin': plan.ids.twin },
      },
    },
    guard: {
      holder: (existing) => (typeof existing.twinId === 'string' ? existing.twinId : undefined),
      takeover: (stale) => put('attribute_not_exists(PK) OR twinId = :stale', { ':stale': stale }),
      conflict: (existing) => new AlreadyImported(toMarker(existing)),
    },
  };
}

/**
 * The guards of the copy, by the as-built writer (META, product serial, each serialized component
 * open now): the copy is a twin like any other. Its components sit where they have sat `since` the
 * source said, not since the twin was built: the guard items are corrected in place (their takeover
 * writes share them).
 */
function guardWrites(tenant: string, plan: ImportPlan, status: 'active' | 'pending', now: Date): Write[] {
  const { history } = plan;
  const open = history.installations.filter((installation) => installation.validTo === null);
  const writes = asBuiltWrites(
    tenant,
    { ...history, changeSets: [], positions: [], installations: open, twinFields: [] },
    status,
  );
  const sinceOf = new Map(open.map((installation) => [installation.path, installation.since]));
  for (const write of writes) {
    const item = write.entry.Put?.Item as {
      entity?: string;
      installedIn?: { path: string; since: string };
      leaseUntil?: string;
    };
    if (item?.entity === ENTITY.component && item.installedIn)
      item.installedIn.since = sinceOf.get(item.installedIn.path) ?? item.installedIn.since;
    // the copy keeps the source's createdAt: its lease runs from now
    if (item?.entity === ENTITY.twin && item.leaseUntil !== undefined)
      item.leaseUntil = new Date(now.getTime() + PENDING_LEASE_MS).toISOString();
    if (item?.entity === ENTITY.twin) Object.assign(item, stateMeta(currentStateOf(history)));
  }
  // the as-built writer also lists the intervals it was given: they come with the others
  return writes.filter((write) => {
    const entity = (write.entry.Put?.Item as { entity?: string } | undefined)?.entity;
    return !(
      [
        ENTITY.installation,
        ENTITY.position,
        ENTITY.current,
        ENTITY.vacated,
        ENTITY.lifecycle,
        ENTITY.judged,
      ] as string[]
    ).includes(entity ?? '');
  });
}

/** Every other item of the copy: intervals, change sets, baselines, inspections, links, one event (its documents are restored before it). */
function recordWrites(tenant: string, plan: ImportPlan, actor: { sub: string; tenant: string }): Write[] {
  const { history } = plan;
  const twinId = history.record.id;
  const put = (Item: Record<string, unknown>, outside = false): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    ...(outside ? { undo: { Delete: { TableName: table(), Key: { PK: Item.PK, SK: Item.SK } } } } : {}),
  });
  const writes: Write[] = [];
  for (const changeSet of history.changeSets) writes.push(put(changeSetItem(tenant, twinId, changeSet)));
  for (const position of history.positions) writes.push(put(positionItem(tenant, twinId, position)));
  for (const fields of history.twinFields ?? []) writes.push(put(twinFieldsItem(tenant, twinId, fields)));
  for (const installation of history.installations)
    writes.push(put(installationItem(tenant, twinId, installation)));
  for (const item of stateItems(tenant, history)) writes.push(put(item));
  const names = new Set<string>();
  for (const baseline of history.baselines ?? []) {
    writes.push(put(baselineItem(tenant, twinId, baseline)));
    // an export from before the name guard may carry one name twice: the first keeps the guard
    if (!names.has(baseline.name)) writes.push(put(baselineNameItem(tenant, twinId, baseline)));
    names.add(baseline.name);
  }
  for (const inspection of history.inspections ?? [])
    writes.push(put(inspectionItem(tenant, twinId, inspection)));
  // the search index of what the copy brings (outside the twin's partition: taken back on failure)
  const found = (history.inspections ?? []).flatMap((inspection) => inspectionEntries(twinId, inspection));
  for (const entry of found) writes.push(put(searchItem(tenant, entry), true));
  for (const link of history.links ?? []) {
    const target = link.position === undefined ? 'twin' : `pos:${link.position}`;
    writes.push(
      put({ ...keys.twinLink(tenant, twinId, link.documentId, target), entity: ENTITY.link, ...link }),
    );
  }
  const { importedFrom } = history.record;
  writes.push(
    put(
      eventItem(tenant, {
        type: 'twin.imported',
        twinId,
        serialNumber: history.record.serialNumber,
        product: history.record.product,
        source: { tenant: importedFrom.tenant, twinId: importedFrom.twinId },
        changeSets: history.changeSets.length,
        recordedAt: importedFrom.importedAt,
        actor,
      }),
      true,
    ),
  );
  return writes;
}

/**
 * Writes the copy. Up to 100 items it is one transaction. Larger copies are written like a large
 * as-built record: the guards and a `pending` META first (readers and lists ignore it), the rest in
 * parallel transactions, then META flips to `active` (with its index keys) only while its lease runs.
 * A failure removes what was written; a crash leaves a pending copy nobody sees, whose guards (the
 * import marker among them) the next attempt takes over once the lease has passed.
 */
export async function writeImport(
  tenant: string,
  plan: ImportPlan,
  context: { now: Date; actor: { sub: string; tenant: string } },
): Promise<{ transactions: number }> {
  const { now, actor } = context;
  const records = recordWrites(tenant, plan, actor);
  return writeUnderLease(
    tenant,
    plan.history.record,
    (status, transactions) => [
      markerWrite(tenant, plan, transactions),
      ...guardWrites(tenant, plan, status, now),
      ...records,
    ],
    now,
    { what: 'copy' },
  );
}
