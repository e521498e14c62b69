import { config } from '../config';
import { AAS_SEMANTICS, shellId, submodelId, twinAssetId } from '../domain/aas';
import { parseAasIdentifier } from '../domain/aas-api';
import type { TwinHistory } from '../domain/change-set';
import { NotFound } from '../domain/errors';
import { settledBound } from '../domain/feed';
import type { Caller } from '../http/auth';
import { roleViewOf } from '../http/role-view';
import type { RecentChangesQuery } from '../schemas/aas-api';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { listEvents } from '../store/event-store';
import { listTwins, loadTwinParts, type TwinParts } from '../store/twin-store';
import { aasEnvironmentOf } from './aas-export';
import { sharedTwinsPage } from './shared-listing';
import { auditAccess, sharedReadTimes, withSharedTwin } from './sharing-service';

// biome-ignore lint/suspicious/noExplicitAny: AAS JSON, verified by aas-core in tests
type AasObject = Record<string, any>;

/**
 * The AAS repository a caller sees: its own tenant's twins (through its role view), or the twins an
 * owner shares with it (through its grants' views). Each shell and submodel is a part of the twin's
 * one AAS environment (shared/domain/aas.ts), built from the twin as the one projection shows it.
 */
export interface AasScope {
  caller: Caller;
  /** A grantee reading the twins `owner` shares with it. */
  owner?: string;
  now: Date;
}

/** Current items for now, intervals for the past; links and stays inside other twins either way. */
const partsAt = (asOf: string | undefined): TwinParts => ({
  ...(asOf === undefined ? { current: true } : { timeline: true }),
  links: true,
  mounts: true,
});

/** The AAS environment of one twin at valid time `asOf` (default now), as recorded now, or 404. */
export async function environmentOf(scope: AasScope, twinId: string, asOf?: string): Promise<AasObject> {
  const { caller, owner, now } = scope;
  const at = now.toISOString();
  if (owner !== undefined) {
    return withSharedTwin(caller, owner, twinId, now, partsAt(asOf), async (shared) => {
      const times = sharedReadTimes(shared, now, asOf === undefined ? {} : { asOf });
      checkBuilt(shared.history, times.asOf);
      const environment = await aasEnvironmentOf(owner, shared.history, {
        ...times,
        view: shared.view,
        documentUrl: (documentId) => `/v1/shared/twins/${owner}/${twinId}/documents/${documentId}`,
      });
      await auditAccess(shared, caller, 'read aas', now);
      return environment;
    });
  }
  const [loaded, view] = await Promise.all([
    loadTwinParts(caller.tenant, twinId, partsAt(asOf)),
    roleViewOf(caller),
  ]);
  if (!loaded) throw new NotFound(`No twin ${twinId}`);
  const time = asOf === undefined ? at : new Date(asOf).toISOString();
  checkBuilt(loaded.history, time);
  return aasEnvironmentOf(caller.tenant, loaded.history, {
    asOf: time,
    knownAt: at,
    ...(view === undefined ? {} : { view }),
  });
}

/** Before the twin was built, neither it nor its submodels existed. */
function checkBuilt(history: TwinHistory, asOf: string) {
  if (asOf < history.record.builtAt)
    throw new NotFound(
      `Twin ${history.record.id} was not built yet at ${asOf} (built ${history.record.builtAt})`,
    );
}

/** The shell of the twin an identifier names. */
export async function shellOf(scope: AasScope, id: string, asOf?: string): Promise<AasObject> {
  const parsed = parseAasIdentifier(id);
  if (parsed?.kind !== 'aas') throw new NotFound(`No shell ${id}`);
  return (await environmentOf(scope, parsed.twinId, asOf)).assetAdministrationShells[0];
}

/** The submodel an identifier names. */
export async function submodelOf(scope: AasScope, id: string, asOf?: string): Promise<AasObject> {
  const parsed = parseAasIdentifier(id);
  if (parsed?.kind !== 'submodel') throw new NotFound(`No submodel ${id}`);
  const environment = await environmentOf(scope, parsed.twinId, asOf);
  const found = environment.submodels.find((submodel: AasObject) => submodel.id === id);
  if (!found) throw new NotFound(`No submodel ${id}`);
  return found;
}

/** A page of the twins the scope sees: their ids and the cursor of the next page. */
async function twinPage(scope: AasScope, page: { limit: number; cursor?: string }) {
  if (scope.owner === undefined) {
    const listed = await listTwins(scope.caller.tenant, {}, page);
    return { ids: listed.items.map((record) => record.id), nextCursor: listed.nextCursor };
  }
  const listed = await sharedTwinsPage(scope.caller, { owner: scope.owner }, page, scope.now);
  return {
    ids: listed.items.map((item) => (item.twin as { id: string }).id),
    nextCursor: listed.nextCursor as string | undefined,
  };
}

/** The AAS API page: its items and, when more follow, the cursor in `paging_metadata`. */
export const pagedResult = (result: unknown[], cursor: string | undefined) => ({
  paging_metadata: cursor === undefined ? {} : { cursor },
  result,
});

/** `GET /shells`: one shell per twin, paged like the twin list. */
export async function shellsPage(scope: AasScope, page: { limit: number; cursor?: string }) {
  const { ids, nextCursor } = await twinPage(scope, page);
  const environments = await Promise.all(ids.map((id) => environmentOf(scope, id)));
  return pagedResult(
    environments.map((environment) => environment.assetAdministrationShells[0]),
    nextCursor,
  );
}

/**
 * `GET /submodels`: the submodels of the twins in list order, `limit` per page. A page reads `limit`
 * twins (each has at least two submodels) from where the cursor says and skips those already served.
 */
export async function submodelsPage(scope: AasScope, page: { limit: number; cursor?: string }) {
  const cursorScope = JSON.stringify(['aas-submodels', scope.owner ?? '']);
  const position = decodeCursor(cursorScope, page.cursor);
  const skip = Number(position?.skip ?? 0);
  const twins = await twinPage(scope, {
    limit: page.limit,
    ...(position?.twins ? { cursor: position.twins } : {}),
  });
  const environments = await Promise.all(twins.ids.map((id) => environmentOf(scope, id)));
  const submodels: AasObject[] = environments.flatMap((environment) => environment.submodels);
  const result = submodels.slice(skip, skip + page.limit);
  const next =
    skip + page.limit < submodels.length
      ? encodeCursor(cursorScope, { twins: position?.twins ?? '', skip: skip + page.limit })
      : twins.nextCursor === undefined
        ? undefined
        : encodeCursor(cursorScope, { twins: twins.nextCursor, skip: 0 });
  return pagedResult(result, next);
}

/** `GET /shells/{id}/submodel-refs`: the shell's references, paged by offset. */
export function referencesPage(shell: AasObject, page: { limit: number; cursor?: string }) {
  const cursorScope = JSON.stringify(['aas-refs', shell.id]);
  const offset = Number(decodeCursor(cursorScope, page.cursor)?.offset ?? 0);
  const references: unknown[] = shell.submodels ?? [];
  const end = offset + page.limit;
  return pagedResult(
    references.slice(offset, end),
    end < references.length ? encodeCursor(cursorScope, { offset: end }) : undefined,
  );
}

/** Event types that change what a twin's AAS says (reads and type changes do not). */
const CHANGES = (type: string) => type !== 'twin.accessed' && !type.startsWith('grant.');
const THREAD_EVENT = /^(document|link|inspection)\./;

/**
 * `$recent-changes`, from the tenant's change feed (settled events, in record order): each event of a
 * twin is a change of its shell, and of its nameplate and bill of material (thread events: of its
 * handover documentation). The cursor is the feed position.
 */
export async function recentChanges(
  caller: Caller,
  of: 'shells' | 'submodels',
  query: RecentChangesQuery,
  now: Date,
) {
  const cursorScope = JSON.stringify(['aas-recent', of, query.updatedFrom ?? '']);
  const from = decodeCursor(cursorScope, query.cursor)?.after;
  // every id of an event recorded at or after updatedFrom sorts after its time prefix
  const after =
    from ?? (query.updatedFrom === undefined ? undefined : settledBound(new Date(query.updatedFrom), 1));
  const page = await listEvents(
    caller.tenant,
    {},
    {
      limit: query.limit,
      ...(after === undefined ? {} : { after }),
      before: settledBound(now, config.eventsSettleMs()),
    },
  );
  const result = page.items
    .filter((event) => event.twinId !== undefined && CHANGES(event.type))
    .flatMap((event): AasObject[] => {
      const twinId = event.twinId!;
      const type = event.type === 'twin.created' || event.type === 'twin.imported' ? 'CREATED' : 'UPDATED';
      const change = { type, updatedAt: event.recordedAt };
      if (of === 'shells') return [{ id: shellId(twinId), globalAssetId: twinAssetId(twinId), ...change }];
      const models = THREAD_EVENT.test(event.type)
        ? ([['handover-documentation', AAS_SEMANTICS.handoverDocumentation]] as const)
        : ([
            ['nameplate', AAS_SEMANTICS.nameplate],
            ['hierarchical-structures', AAS_SEMANTICS.hierarchicalStructures],
          ] as const);
      return models.map(([name, semanticId]) => ({
        id: submodelId(twinId, name),
        semanticId: { type: 'ExternalReference', keys: [{ type: 'GlobalReference', value: semanticId }] },
        ...change,
      }));
    });
  return pagedResult(
    result,
    page.resumeAfter === undefined ? undefined : encodeCursor(cursorScope, { after: page.resumeAfter }),
  );
}
