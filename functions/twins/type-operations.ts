import { NotFound } from '../../shared/domain/errors';
import { nextTypeVersion } from '../../shared/domain/types';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { GetTypeQuery, ListTypesQuery, PutTypeBody } from '../../shared/schemas/types';
import * as store from '../../shared/store/type-store';

type NameParams = { name: string };

/** Each PUT stores a new version: 201 for the first, 200 after; existing twins keep theirs. */
export async function putType(request: OperationRequest<NameParams, object, PutTypeBody>) {
  const { name } = request.params;
  const actor = { sub: request.caller.sub, tenant: request.caller.tenant };
  const stored = await store.putTypeVersion(request.caller.tenant, name, (latest) =>
    nextTypeVersion(name, request.body, latest, { now: request.now, actor }),
  );
  return { status: stored.version === 1 ? 201 : 200, body: stored, headers: { etag: `"${stored.version}"` } };
}

/** The latest version of a type, or the one asked for. */
export async function getType(request: OperationRequest<NameParams, GetTypeQuery>) {
  const { tenant } = request.caller;
  const { name } = request.params;
  const { version } = request.query;
  const type =
    version === undefined
      ? await store.latestType(tenant, name)
      : await store.typeVersion(tenant, name, version);
  if (!type)
    throw new NotFound(version === undefined ? `No type ${name}` : `No version ${version} of type ${name}`);
  return ok(type, { etag: `"${type.version}"` });
}

export async function listTypes(request: OperationRequest<object, ListTypesQuery>) {
  const { limit, cursor, ...filters } = request.query;
  return ok(await store.listTypes(request.caller.tenant, filters, { limit, cursor }));
}
