import type { Component } from '../schemas/twin';
import { type FleetMatch, type FleetTwin, NO_SITE, type OrderKey } from './fleet';
import { type GrantRecord, grantActive, grantCovers, sharedView } from './grant';
import { projectThroughView } from './view';

/** The purposes whose grants make up an OEM's or a supplier's installed base. */
export const INSTALLED_BASE_PURPOSES: readonly GrantRecord['purpose'][] = ['paas', 'supplier'];

/** One installation of an owner's unit as the grantee sees it: projected, with what it is counted by. */
export interface OwnedMatch extends FleetMatch {
  owner: string;
  serialNumber: string;
  site?: string;
  productPartNumber: string;
  /** The grants it is seen through (the owner's audit names them). */
  grantIds: string[];
  /** Answer order across owners: segment, owner, then the owner's own order. */
  order: OrderKey;
}

/**
 * The matches of one owner's fleet that a grantee sees: the twin is covered by one of the owner's
 * grants in force, and the installation survives the projection through those grants' views
 * (`shared/domain/view.ts`): a hidden position or component kind is no match at all, so it is
 * never counted either. The component is the projected one.
 */
export function visibleMatches(
  owner: string,
  found: readonly (FleetMatch & { order: OrderKey })[],
  twins: ReadonlyMap<string, FleetTwin>,
  grants: readonly GrantRecord[],
  at: string,
): OwnedMatch[] {
  const visible: OwnedMatch[] = [];
  for (const { order, ...match } of found) {
    const twin = twins.get(match.twinId);
    if (!twin) continue;
    const record = { id: match.twinId, product: { partNumber: twin.productPartNumber }, site: twin.site };
    const covering = grants.filter(
      (grant) => grant.owner === owner && grantActive(grant, at) && grantCovers(grant, record),
    );
    if (covering.length === 0) continue;
    const shown = projectThroughView(
      { shape: 'fleet-installations', body: { items: [match] } },
      sharedView(covering),
    ) as { items: (FleetMatch & { component: Component })[] };
    const item = shown.items[0];
    if (!item) continue;
    visible.push({
      ...item,
      owner,
      serialNumber: twin.serialNumber,
      ...(twin.site === undefined ? {} : { site: twin.site }),
      productPartNumber: twin.productPartNumber,
      grantIds: covering.map((grant) => grant.id),
      order: [order[0], owner, ...(order.slice(1) as string[])],
    });
  }
  return visible;
}

/** Exact counts over every visible match: the total, and by owner, by the unit's site and by its product. */
export function summarizeInstalledBase(matches: readonly OwnedMatch[]) {
  const tally = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const byOwner: Record<string, number> = {};
  const bySite: Record<string, number> = {};
  const byProduct: Record<string, number> = {};
  for (const match of matches) {
    tally(byOwner, match.owner);
    tally(bySite, match.site ?? NO_SITE);
    tally(byProduct, match.productPartNumber);
  }
  return { total: matches.length, byOwner, bySite, byProduct };
}

/** A match as the answer lists it (without its order, site and product: those are in the counts). */
export const presentMatch = ({
  order: _order,
  site: _site,
  productPartNumber: _product,
  grantIds: _grants,
  ...match
}: OwnedMatch) => match;
