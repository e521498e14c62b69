import { invalidField, NotFound } from '../domain/errors';
import { type GrantRecord, grantActive, grantCovers, grantsFor, sharedView } from '../domain/grant';
import { installedBaseCounts } from '../domain/installed-base';
import { assembleTwin, type TwinRecord } from '../domain/twin';
import { projectThroughView } from '../domain/view';
import type { Caller } from '../http/auth';
import { batchGetItems } from '../store/batch-get';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { ACTIVE } from '../store/guarded-transaction';
import { toTwinRecord } from '../store/items';
import { keys } from '../store/keys';
import {
  confirmGrants,
  grantsTo,
  recordAccesses,
  type TwinSummary,
  twinSummaries,
} from '../store/sharing-store';
import { listTwins, loadTwinParts } from '../store/twin-store';

export interface SharedListOptions {
  purpose?: GrantRecord['purpose'];
  partNumber?: string;
  owner?: string;
  /** Each twin with its (projected) configuration tree: one Query per twin. */
  withConfiguration?: boolean;
}

/** The grants in force now that this listing walks, confirmed on the table, in a fixed order. */
export async function grantsInForce(
  caller: Caller,
  options: SharedListOptions,
  at: string,
): Promise<GrantRecord[]> {
  const wanted = (grant: GrantRecord) =>
    grantActive(grant, at) &&
    grant.owner !== caller.tenant &&
    (options.purpose === undefined || grant.purpose === options.purpose) &&
    (options.partNumber === undefined ||
      grant.twins.partNumber === undefined ||
      grant.twins.partNumber === options.partNumber);
  const listed = (await grantsTo(caller.tenant, options.owner)).filter(wanted);
  const confirmed = (await confirmGrants(listed)).filter(wanted);
  return confirmed.sort((a, b) => (`${a.owner}#${a.id}` < `${b.owner}#${b.id}` ? -1 : 1));
}

/** A page of the twins one grant selects (the owner's indexes, or its listed ids). */
async function selectedTwins(
  grant: GrantRecord,
  partNumber: string | undefined,
  page: { limit: number; cursor?: string },
): Promise<{ records: TwinRecord[]; next?: string }> {
  const { ids, site } = grant.twins;
  const product = grant.twins.partNumber ?? partNumber;
  if (ids === undefined) {
    const result = await listTwins(grant.owner, { site, partNumber: product }, page);
    return { records: result.items, ...(result.nextCursor ? { next: result.nextCursor } : {}) };
  }
  const offset = page.cursor === undefined ? 0 : Number(page.cursor);
  const chosen = ids.slice(offset, offset + page.limit);
  const metas = await batchGetItems(chosen.map((id) => keys.twinMeta(grant.owner, id)));
  const records = metas
    .filter((meta) => meta.status === ACTIVE)
    .map(toTwinRecord)
    .filter((record) => grantCovers({ twins: { site, partNumber: product } }, record))
    .sort((a, b) => chosen.indexOf(a.id) - chosen.indexOf(b.id));
  const next = offset + chosen.length;
  return { records, ...(next < ids.length ? { next: String(next) } : {}) };
}

/**
 * A page of the twins shared with the caller's tenant, by every owner (or one), each projected
 * through the union of the grants that cover it. Grants are walked in a fixed order and each
 * grant's selector through the owner's index, so a page costs a few Queries whatever the number
 * of owners; a twin covered by several grants is listed once, under the first. Every listed twin
 * leaves an access event with its owner (one batch write per owner).
 */
export async function sharedTwinsPage(
  caller: Caller,
  options: SharedListOptions,
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const at = now.toISOString();
  const scope = JSON.stringify(['shared', caller.tenant, options]);
  const position = decodeCursor(scope, page.cursor);
  const grants = await grantsInForce(caller, options, at);
  const start = position === undefined ? 0 : grants.findIndex((grant) => grant.id === position.grant);
  if (start < 0) throw invalidField('query.cursor', 'the grant this cursor continues has ended');

  const found: { grant: GrantRecord; index: number; record: TwinRecord }[] = [];
  let nextCursor: string | undefined;
  for (let index = start; index < grants.length && found.length < page.limit; index++) {
    const grant = grants[index]!;
    const inner = index === start ? position?.inner : undefined;
    const { records, next } = await selectedTwins(grant, options.partNumber, {
      limit: page.limit - found.length,
      ...(inner ? { cursor: inner } : {}),
    });
    const earlier = grants.slice(0, index).filter((other) => other.owner === grant.owner);
    for (const record of records)
      if (!earlier.some((other) => grantCovers(other, record))) found.push({ grant, index, record });
    if (next !== undefined) {
      nextCursor = encodeCursor(scope, { grant: grant.id, inner: next });
      break;
    }
    if (found.length >= page.limit && index + 1 < grants.length)
      nextCursor = encodeCursor(scope, { grant: grants[index + 1]!.id });
  }

  const items = await Promise.all(
    found.map(async ({ grant, record }) => {
      const view = sharedView(
        grantsFor(
          grants.filter((other) => other.owner === grant.owner),
          record,
          at,
        ),
      );
      const twin = options.withConfiguration ? await currentTwin(grant.owner, record, at) : record;
      return { owner: grant.owner, twin: projectThroughView({ shape: 'twin', body: twin }, view) };
    }),
  );
  await auditListing(
    caller,
    found,
    options.withConfiguration ? 'read installed base' : 'read shared list',
    at,
  );
  return { items, ...(nextCursor ? { nextCursor } : {}), grants };
}

/** The twin now, with its tree (its current items); the listed record when it vanished in between. */
async function currentTwin(owner: string, record: TwinRecord, at: string) {
  const twin = await loadTwinParts(owner, record.id, { current: true });
  return twin ? assembleTwin(twin.history, { asOf: at, knownAt: at }) : record;
}

export async function auditListing(
  caller: Caller,
  found: readonly { grant: GrantRecord; record: TwinRecord }[],
  action: string,
  recordedAt: string,
) {
  const byOwner = new Map<string, typeof found>();
  for (const entry of found)
    byOwner.set(entry.grant.owner, [...(byOwner.get(entry.grant.owner) ?? []), entry]);
  await Promise.all(
    [...byOwner].map(([owner, entries]) =>
      recordAccesses(
        owner,
        entries.map(({ grant, record }) => ({
          type: 'twin.accessed',
          recordedAt,
          twinId: record.id,
          grantee: caller.tenant,
          actor: { sub: caller.sub, tenant: caller.tenant },
          grantIds: [grant.id],
          action,
        })),
      ),
    ),
  );
}

/**
 * Counts over the whole installed base the grants cover (not only a page): each twin once, read
 * from the owners' indexes (product and software summary only), its software counted through its view.
 */
export async function installedBaseCountsOf(grants: readonly GrantRecord[], at: string) {
  const units = new Map<string, { unit: TwinSummary; view: ReturnType<typeof sharedView> }>();
  await Promise.all(
    grants.map(async (grant) => {
      const summaries = await twinSummaries(grant.owner, {
        ...(grant.twins.site === undefined ? {} : { site: grant.twins.site }),
        ...(grant.twins.partNumber === undefined ? {} : { partNumber: grant.twins.partNumber }),
      });
      const sameOwner = grants.filter((other) => other.owner === grant.owner);
      for (const summary of summaries) {
        const record = { ...summary, product: { partNumber: summary.product.partNumber } };
        if (!grantCovers(grant, record) || units.has(`${grant.owner}#${summary.id}`)) continue;
        const view = sharedView(
          sameOwner.filter((other) => grantActive(other, at) && grantCovers(other, record)),
        );
        units.set(`${grant.owner}#${summary.id}`, { unit: summary, view });
      }
    }),
  );
  return installedBaseCounts([...units.values()]);
}

/** The grants other tenants gave to the caller's tenant, in force now (confirmed on the table). */
/** A grant in force now, given to the caller's tenant (by any owner), or 404. */
export async function receivedGrant(caller: Caller, grantId: string, now: Date): Promise<GrantRecord> {
  const grant = (await grantsInForce(caller, {}, now.toISOString())).find(
    (candidate) => candidate.id === grantId,
  );
  if (!grant) throw new NotFound(`No grant ${grantId} in force for your tenant`);
  return grant;
}

export async function receivedGrants(caller: Caller, owner: string | undefined, now: Date) {
  const at = now.toISOString();
  const grants = await grantsInForce(caller, owner === undefined ? {} : { owner }, at);
  return grants.map(({ createdBy: _by, revokedBy: _revokedBy, ...grant }) => ({
    ...grant,
    viewId: grant.view.id,
    viewVersion: grant.view.version,
  }));
}
