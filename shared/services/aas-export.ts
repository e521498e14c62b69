import { aasEnvironment } from '../domain/aas';
import type { TwinHistory } from '../domain/change-set';
import { assembleTwin, type Twin } from '../domain/twin';
import { projectThroughView } from '../domain/view';
import type { ViewBody } from '../schemas/sharing';
import { aasUsageOf } from './aas-usage';
import { threadOf } from './thread-service';

/**
 * The Asset Administration Shell V3.0 environment of one twin at valid time `asOf`, as recorded up
 * to `knownAt`: its configuration then, and the documents of its thread (linked to the twin, a
 * position or an installed component, or applicable by effectivity) that existed at `knownAt`.
 * Reads what `threadOf` reads; the twin's history is given.
 */
export async function aasEnvironmentOf(
  tenant: string,
  history: TwinHistory,
  options: {
    asOf: string;
    knownAt: string;
    baseUrl?: string;
    /** A grantee's view: the twin and its documents pass through the one projection first. */
    view?: Omit<ViewBody, 'name'>;
    documentUrl?: (documentId: string) => string;
  },
): Promise<ReturnType<typeof aasEnvironment>> {
  const { asOf, knownAt, view } = options;
  // links and documents are not bitemporal: what was recorded after knownAt was not known then
  const known = { ...history, links: (history.links ?? []).filter((link) => link.createdAt <= knownAt) };
  const { nodes: _nodes, ...thread } = await threadOf(tenant, known, { asOf, knownAt });
  const twin = assembleTwin(history, { asOf, knownAt });
  const shown =
    view === undefined
      ? thread
      : (projectThroughView({ shape: 'thread', body: thread }, view) as typeof thread);
  // where the twin itself sat then; a grantee is not told about the twin around it
  const mount = (history.mounts ?? []).find(
    (stay) =>
      stay.validFrom <= asOf &&
      (stay.validTo === null || asOf < stay.validTo) &&
      stay.recordedAt <= knownAt &&
      (stay.closedAt === undefined || stay.closedAt > knownAt),
  );
  const shownTwin =
    view === undefined ? twin : (projectThroughView({ shape: 'twin', body: twin }, view) as Twin);
  // usage and life only through a view that shows them (the owner's own export: always)
  const usage =
    view === undefined || view.usage === true
      ? await aasUsageOf(tenant, shownTwin, { asOf, knownAt })
      : undefined;
  return aasEnvironment({
    organization: tenant,
    ...(mount === undefined || view !== undefined
      ? {}
      : { partOf: { twinId: mount.parentId, path: mount.path } }),
    twin: shownTwin,
    ...(usage === undefined ? {} : { usage }),
    documents: shown.documents.filter((entry) => entry.document.createdAt <= knownAt),
    asOf,
    knownAt,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.documentUrl === undefined ? {} : { documentUrl: options.documentUrl }),
  });
}
