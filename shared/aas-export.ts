import { aasEnvironment } from './domain/aas';
import type { TwinHistory } from './domain/change-set';
import { assembleTwin } from './domain/twin';
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
  options: { asOf: string; knownAt: string; baseUrl?: string },
): Promise<ReturnType<typeof aasEnvironment>> {
  const { asOf, knownAt } = options;
  // links and documents are not bitemporal: what was recorded after knownAt was not known then
  const known = { ...history, links: (history.links ?? []).filter((link) => link.createdAt <= knownAt) };
  const thread = await threadOf(tenant, known, { asOf, knownAt });
  return aasEnvironment({
    twin: assembleTwin(history, { asOf, knownAt }),
    documents: thread.documents.filter((entry) => entry.document.createdAt <= knownAt),
    asOf,
    knownAt,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
  });
}
