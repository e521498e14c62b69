import { flattenAsBuilt } from '../../shared/domain/configuration';
import { Conflict, NotFound } from '../../shared/domain/errors';
import { isReadOnly } from '../../shared/domain/lifecycle';
import {
  asBuiltHistory,
  assembleTwin,
  assertVersion,
  expectedVersion,
  newTwinRecord,
  patchTwinRecord,
  planTwinEdit,
  twinEdited,
} from '../../shared/domain/twin';
import type { Caller } from '../../shared/http/auth';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { ulid } from '../../shared/ids';
import type { TimeQuery } from '../../shared/schemas/change';
import type { CreateTwinBody, ListTwinsQuery, PatchTwinBody } from '../../shared/schemas/twin';
import { judgeWrittenTwin } from '../../shared/services/conformance-service';
import { searchableOf, twinEditSearchWrites } from '../../shared/services/search-service';
import { validateNewTwin, validateTwinPatch, withTypeVersion } from '../../shared/services/type-validation';
import { requireAttributesInsideView, roleWriterOf } from '../../shared/services/view-writes';
import * as store from '../../shared/store/twin-store';
import { expandInstalledTwins } from './expand';
import { readTimes, twinResponse } from './responses';

const actorOf = ({ caller }: { caller: Caller }) => ({ sub: caller.sub, tenant: caller.tenant });

export async function createTwin(request: OperationRequest<object, object, CreateTwinBody>) {
  const flat = flattenAsBuilt(request.body.configuration, 'body.configuration');
  const typeVersion = await validateNewTwin(request.caller.tenant, request.body);
  const record = withTypeVersion(newTwinRecord(request.body, ulid(), request.now), typeVersion);
  const history = asBuiltHistory(record, flat, actorOf(request), ulid());
  const searchable = await searchableOf(request.caller.tenant, record);
  await store.createTwin(request.caller.tenant, history, request.now, { searchable });
  await judgeWrittenTwin(request.caller.tenant, record.id, request.now);
  return twinResponse(assembleTwin(history, readTimes(request.now)), 201);
}

export async function listTwins(request: OperationRequest<object, ListTwinsQuery>) {
  const { limit, cursor, ...filters } = request.query;
  return ok(await store.listTwins(request.caller.tenant, filters, { limit, cursor }));
}

/** A twin of the caller's tenant, with the key ranges the request answers from, or 404. */
export async function loadVisibleTwin(tenant: string, id: string, parts: store.TwinParts) {
  const twin = await store.loadTwinParts(tenant, id, parts);
  if (!twin) throw new NotFound(`No twin ${id}`);
  return twin;
}

export async function getTwin(request: OperationRequest<{ id: string }, TimeQuery>) {
  const { tenant } = request.caller;
  const parts = store.readParts(request.query, request.now);
  const { history } = await loadVisibleTwin(tenant, request.params.id, parts);
  const at = readTimes(request.now, request.query);
  if (at.knownAt < history.record.createdAt)
    throw new NotFound(`No twin ${request.params.id} was recorded at ${at.knownAt}`);
  if (at.asOf < history.record.builtAt)
    throw new NotFound(`Twin ${request.params.id} was not built yet at ${at.asOf}`);
  const twin = assembleTwin(history, at);
  if (request.query.expand === 'twins')
    await expandInstalledTwins(
      twin,
      async (id) => (await store.loadTwinParts(tenant, id, parts))?.history ?? null,
      at,
    );
  return twinResponse(twin);
}

export async function patchTwin(request: OperationRequest<{ id: string }, object, PatchTwinBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const [{ history, state }, writer] = await Promise.all([
    loadVisibleTwin(request.caller.tenant, request.params.id, { current: true, fields: true }),
    roleWriterOf(request.caller),
  ]);
  if (writer) requireAttributesInsideView(writer, request.body.attributes);
  assertVersion(history.record, expected);
  if (isReadOnly(history.record.lifecycle))
    throw new Conflict(`The twin is ${history.record.lifecycle}: it is read-only`);
  const typeVersion = await validateTwinPatch(request.caller.tenant, history.record, request.body);
  const record = withTypeVersion(patchTwinRecord(history.record, request.body, request.now), typeVersion);
  const plan = planTwinEdit(history, record, request.body, {
    now: request.now,
    actor: actorOf(request),
    changeSetId: ulid(),
  });
  const search = await twinEditSearchWrites(request.caller.tenant, history.record, record);
  await store.saveTwinEdit(request.caller.tenant, plan, expected, request.now, search, state.timeline);
  return twinResponse(assembleTwin(twinEdited(history, plan), readTimes(request.now)));
}
