import { presentDocument } from '../domain/document';
import { appliesTo } from '../domain/effectivity';
import { NotFound } from '../domain/errors';
import type { Caller } from '../http/auth';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { getDocuments } from '../store/document-store';
import { installationsOf } from '../store/fleet-store';
import { installedBaseApplicability } from './installed-base-impact';

export interface ApplicabilityQuery {
  limit: number;
  cursor?: string;
  scope: 'tenant' | 'installed-base';
}

/**
 * The units a document of the caller's tenant applies to: its own fleet (through the fleet index,
 * offset-paged with a sealed cursor), or the installed base its grants show (`scope=installed-base`).
 */
export async function documentApplicability(
  caller: Caller,
  documentId: string,
  query: ApplicabilityQuery,
  now: Date,
) {
  const { tenant } = caller;
  const [document] = await getDocuments(tenant, [documentId]);
  if (!document) throw new NotFound(`No document ${documentId}`);
  const { limit, cursor, scope: where } = query;
  if (where === 'installed-base') {
    const page = { limit, ...(cursor === undefined ? {} : { cursor }) };
    const answer = await installedBaseApplicability(caller, document, page, now);
    return { document: presentDocument(document), scope: where, ...answer };
  }
  const effectivity = document.effectivity;
  const matches = effectivity
    ? (await installationsOf(tenant, effectivity.partNumber, effectivity.softwareVersions)).filter(
        (installation) => appliesTo(effectivity, installation.component),
      )
    : [];
  const scope = JSON.stringify(['applicability', documentId]);
  const start = Number(decodeCursor(scope, cursor)?.offset ?? 0);
  const items = matches.slice(start, start + limit);
  const next = start + items.length;
  return {
    document: presentDocument(document),
    total: matches.length,
    items,
    ...(next < matches.length ? { nextCursor: encodeCursor(scope, { offset: next }) } : {}),
  };
}
