import { appliesTo } from '../domain/effectivity';
import { invalidField } from '../domain/errors';
import { compareOrderKeys, type FleetFilter, type OrderKey, pageAfter } from '../domain/fleet';
import type { GrantRecord } from '../domain/grant';
import {
  INSTALLED_BASE_PURPOSES,
  type OwnedMatch,
  presentMatch,
  summarizeInstalledBase,
  visibleMatches,
} from '../domain/installed-base-impact';
import type { Caller } from '../http/auth';
import type { Effectivity } from '../schemas/effectivity';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { matchingInstallations } from '../store/fleet-store';
import { recordAccesses } from '../store/sharing-store';
import { asGrantOwner } from '../store/tenant-scope';
import { grantsInForce } from './shared-listing';

/** A fleet question over the installed base: now only (grants are judged now), all owners or one. */
export type InstalledBaseFilter = Omit<FleetFilter, 'asOf'> & { owner?: string };

/**
 * Every installation shared with the caller's tenant that answers the question, projected, in answer
 * order. Per owner that granted the caller a `paas` or `supplier` grant in force: one read of that
 * owner's fleet index key range (the same one `POST /v1/fleet/impact` reads for the owner) and the
 * matching twins' META items; then the grants' selectors and views decide what the caller sees.
 * The cost follows the owners' matching installations (docs/installed-base-index.md).
 */
export async function installedBaseMatches(
  caller: Caller,
  filter: InstalledBaseFilter,
  now: Date,
): Promise<OwnedMatch[]> {
  const at = now.toISOString();
  const { owner, ...fleetFilter } = filter;
  const grants = (await grantsInForce(caller, owner === undefined ? {} : { owner }, at)).filter((grant) =>
    INSTALLED_BASE_PURPOSES.includes(grant.purpose),
  );
  const byOwner = new Map<string, GrantRecord[]>();
  for (const grant of grants) byOwner.set(grant.owner, [...(byOwner.get(grant.owner) ?? []), grant]);
  const perOwner = await Promise.all(
    // each owner's index and twins in that owner's scope, only for the grants just confirmed
    [...byOwner].map(([grantor, granted]) =>
      asGrantOwner(grantor, granted, async () => {
        const { found, twins } = await matchingInstallations(grantor, fleetFilter);
        return visibleMatches(grantor, found, twins, granted, at);
      }),
    ),
  );
  return perOwner.flat().sort((a, b) => compareOrderKeys(a.order, b.order));
}

const notIssued = () => invalidField('query.cursor', 'is not a cursor this API issued');

/** One page of an ordered answer after the cursor's position, and the cursor of the next page. */
function pageOf(scope: string, matches: readonly OwnedMatch[], page: { limit: number; cursor?: string }) {
  const decoded = decodeCursor(scope, page.cursor);
  let after: OrderKey | undefined;
  if (decoded) {
    const parsed: unknown = JSON.parse(decoded.after ?? 'null');
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'number') throw notIssued();
    after = parsed as unknown as OrderKey;
  }
  const { items, more } = pageAfter(matches, (match) => match.order, page.limit, after);
  const last = items[items.length - 1];
  return {
    items,
    ...(more && last ? { nextCursor: encodeCursor(scope, { after: JSON.stringify(last.order) }) } : {}),
  };
}

/** The owners' audit: each listed unit leaves a `twin.accessed` event with its owner. */
async function auditMatches(caller: Caller, matches: readonly OwnedMatch[], action: string, at: string) {
  const byOwner = new Map<string, OwnedMatch[]>();
  for (const match of matches) byOwner.set(match.owner, [...(byOwner.get(match.owner) ?? []), match]);
  await Promise.all(
    [...byOwner].map(([owner, owned]) =>
      // the matches come from grants of `owner` to the caller, confirmed by installedBaseMatches
      asGrantOwner(owner, [{ owner, grantee: caller.tenant }], () =>
        recordAccesses(
          owner,
          [...new Map(owned.map((match) => [match.twinId, match])).values()].map((match) => ({
            type: 'twin.accessed',
            recordedAt: at,
            twinId: match.twinId,
            grantee: caller.tenant,
            actor: { sub: caller.sub, tenant: caller.tenant },
            grantIds: match.grantIds,
            action,
          })),
        ),
      ),
    ),
  );
}

const scopeOf = (operation: string, caller: Caller, filter: object) =>
  JSON.stringify([operation, caller.tenant, filter]);

/** A page of given matches, audited with their owners (impact, installations, applicability). */
export async function installedBasePage(
  caller: Caller,
  scope: { operation: string; filter: object },
  matches: readonly OwnedMatch[],
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const { items, nextCursor } = pageOf(scopeOf(scope.operation, caller, scope.filter), matches, page);
  await auditMatches(caller, items, scope.operation, now.toISOString());
  return { items: items.map(presentMatch), ...(nextCursor ? { nextCursor } : {}) };
}

/** OTA or bulletin impact over the installed base: exact counts over every visible match, one page listed. */
export async function installedBaseImpact(
  caller: Caller,
  filter: InstalledBaseFilter,
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const matches = await installedBaseMatches(caller, filter, now);
  const { items, nextCursor } = await installedBasePage(
    caller,
    { operation: 'installed-base impact', filter },
    matches,
    page,
    now,
  );
  return { ...summarizeInstalledBase(matches), affected: items, ...(nextCursor ? { nextCursor } : {}) };
}

/** A page of the installations over the installed base. */
export async function installedBaseInstallations(
  caller: Caller,
  filter: InstalledBaseFilter,
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const matches = await installedBaseMatches(caller, filter, now);
  return installedBasePage(caller, { operation: 'installed-base installations', filter }, matches, page, now);
}

/**
 * The units of the installed base a document of mine applies to by its effectivity: the installed-base
 * matches of its part number and software range, narrowed by its revisions and serial range.
 */
export async function installedBaseApplicability(
  caller: Caller,
  document: { id: string; effectivity?: Effectivity },
  page: { limit: number; cursor?: string },
  now: Date,
) {
  const { effectivity } = document;
  const matches = effectivity
    ? (
        await installedBaseMatches(
          caller,
          {
            partNumber: effectivity.partNumber,
            ...(effectivity.softwareVersions === undefined
              ? {}
              : { softwareVersion: effectivity.softwareVersions }),
          },
          now,
        )
      ).filter((match) => appliesTo(effectivity, match.component))
    : [];
  const listed = await installedBasePage(
    caller,
    { operation: 'installed-base applicability', filter: { document: document.id } },
    matches,
    page,
    now,
  );
  return { total: matches.length, byOwner: summarizeInstalledBase(matches).byOwner, ...listed };
}
