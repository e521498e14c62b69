import { ulid } from 'ulid';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { NotFound } from '../../shared/domain/errors';
import {
  assembleTwin,
  assertVersion,
  etagOf,
  expectedVersion,
  newTwinRecord,
  patchTwinRecord,
  type Twin,
} from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { type HttpResult, ok } from '../../shared/http/response';
import type { CreateTwinBody, ListTwinsQuery, PatchTwinBody } from '../../shared/schemas/twin';
import * as store from '../../shared/store/twin-store';

const twinResponse = (twin: Twin, status = 200): HttpResult => ({
  status,
  body: twin,
  headers: { etag: etagOf(twin.version), ...(status === 201 ? { location: `/v1/twins/${twin.id}` } : {}) },
});

const now = (request: { now: Date }) => {
  const at = request.now.toISOString();
  return { asOf: at, knownAt: at };
};

export async function createTwin(request: OperationRequest<object, object, CreateTwinBody>) {
  const flat = flattenAsBuilt(request.body.configuration, 'body.configuration');
  const record = newTwinRecord(request.body, ulid(), request.now);
  await store.createTwin(request.caller.tenant, record, flat, request.now);
  const installations = flat.installations.map(({ path, component }) => ({
    path,
    component,
    validFrom: record.builtAt,
    validTo: null,
    recordedAt: record.createdAt,
  }));
  return twinResponse(assembleTwin(record, flat.positions, installations, now(request)), 201);
}

export async function listTwins(request: OperationRequest<object, ListTwinsQuery>) {
  const { limit, cursor, ...filters } = request.query;
  return ok(await store.listTwins(request.caller.tenant, filters, { limit, cursor }));
}

async function loadVisibleTwin(tenant: string, id: string) {
  const loaded = await store.loadTwin(tenant, id);
  if (!loaded) throw new NotFound(`No twin ${id}`);
  return loaded;
}

export async function getTwin(request: OperationRequest<{ id: string }>) {
  const { record, positions, installations } = await loadVisibleTwin(
    request.caller.tenant,
    request.params.id,
  );
  return twinResponse(assembleTwin(record, positions, installations, now(request)));
}

export async function patchTwin(request: OperationRequest<{ id: string }, object, PatchTwinBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const { record, positions, installations } = await loadVisibleTwin(
    request.caller.tenant,
    request.params.id,
  );
  assertVersion(record, expected);
  const next = patchTwinRecord(record, request.body, request.now);
  await store.saveTwinRecord(request.caller.tenant, next, expected);
  return twinResponse(assembleTwin(next, positions, installations, now(request)));
}
