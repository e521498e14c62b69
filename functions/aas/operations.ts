import { decodeIdentifier, elementAtPath, submodelValue, valueOnly } from '../../shared/domain/aas-api';
import { invalidField } from '../../shared/domain/errors';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { AasPageQuery, RecentChangesQuery } from '../../shared/schemas/aas-api';
import {
  type AasScope,
  recentChanges,
  referencesPage,
  shellOf,
  shellsPage,
  submodelOf,
  submodelsPage,
} from '../../shared/services/aas-repository';

type Params = { owner?: string; aasIdentifier?: string; submodelIdentifier?: string; idShortPath?: string };
type Request<Q = object> = OperationRequest<Params, Q>;

const scopeOf = (request: Request<unknown>): AasScope => ({
  caller: request.caller,
  now: request.now,
  ...(request.params.owner === undefined ? {} : { owner: request.params.owner }),
});

/** The identifier a path parameter carries (base64url), or 400 naming it. */
function identifier(request: Request<unknown>, name: 'aasIdentifier' | 'submodelIdentifier') {
  const decoded = decodeIdentifier(request.params[name] ?? '');
  if (decoded === undefined) throw invalidField(`path.${name}`, 'must be a base64url-encoded identifier');
  return decoded;
}

const shell = (request: Request<{ date?: string }>) =>
  shellOf(scopeOf(request), identifier(request, 'aasIdentifier'), request.query.date);
const submodel = (request: Request<{ date?: string }>) =>
  submodelOf(scopeOf(request), identifier(request, 'submodelIdentifier'), request.query.date);
const element = async (request: Request) =>
  elementAtPath(await submodel(request), request.params.idShortPath ?? '');

/** Each AAS operation, for own and shared twins alike (the owner in the path makes it a grantee read). */
const operations: Record<string, (request: Request<never>) => Promise<unknown>> = {
  GetAllAssetAdministrationShells: (request: Request<AasPageQuery>) =>
    shellsPage(scopeOf(request), request.query),
  GetAllAssetAdministrationShellsRecentChanges: (request: Request<RecentChangesQuery>) =>
    recentChanges(request.caller, 'shells', request.query, request.now),
  GetAssetAdministrationShellById: shell,
  GetAllSubmodelReferences: async (request: Request<AasPageQuery>) =>
    referencesPage(await shell({ ...request, query: {} }), request.query),
  GetAssetAdministrationShellVersionByIdAndDate: shell,
  GetAllSubmodels: (request: Request<AasPageQuery>) => submodelsPage(scopeOf(request), request.query),
  GetAllSubmodelRecentChanges: (request: Request<RecentChangesQuery>) =>
    recentChanges(request.caller, 'submodels', request.query, request.now),
  GetSubmodelById: submodel,
  'GetSubmodelById-ValueOnly': async (request: Request) => submodelValue(await submodel(request)),
  GetSubmodelByIdAndDate: submodel,
  GetSubmodelElementByPath: element,
  'GetSubmodelElementByPath-ValueOnly': async (request: Request) => valueOnly(await element(request)),
};

/** The operations of the route table (shared/route-table/aas.ts names them by the AAS operation). */
export function aasOperations(operationId: (name: string, shared: boolean) => string) {
  const named: Record<string, Operation> = {};
  for (const [name, answer] of Object.entries(operations))
    for (const shared of [false, true])
      named[operationId(name, shared)] = async (request) => ok(await answer(request as never));
  return named;
}
