import type { GrantBody, GrantPermission } from '../schemas/sharing';
import type { TwinRecord } from './records';
import { pathVisible, unionOfViews, type View } from './view';

/** A grant as stored: the view it was given with is pinned (copied) into it. */
export interface GrantRecord extends Omit<GrantBody, 'viewId'> {
  id: string;
  owner: string;
  view: View;
  createdAt: string;
  createdBy: { sub: string; tenant: string };
  revokedAt?: string;
  revokedBy?: { sub: string; tenant: string };
  /** The grantee declined it: it gives no access and leaves the grantee's lists (the owner still sees it). */
  declinedAt?: string;
  declinedBy?: { sub: string; tenant: string };
}

/** In force at `now`: neither revoked nor declined, and inside its validity (from inclusive, to exclusive). */
export const grantActive = (grant: GrantRecord, now: string) =>
  grant.revokedAt === undefined &&
  grant.declinedAt === undefined &&
  (grant.validFrom === undefined || Date.parse(grant.validFrom) <= Date.parse(now)) &&
  (grant.validTo === undefined || Date.parse(now) < Date.parse(grant.validTo));

/** Does the grant's selector cover the twin? Every field given must match; site and part number cover later twins too. */
export const grantCovers = (
  grant: Pick<GrantRecord, 'twins'>,
  twin: Pick<TwinRecord, 'id' | 'site' | 'product'>,
) =>
  (grant.twins.ids === undefined || grant.twins.ids.includes(twin.id)) &&
  (grant.twins.site === undefined || grant.twins.site === twin.site) &&
  (grant.twins.partNumber === undefined || grant.twins.partNumber === twin.product.partNumber);

/** The grants (of one owner to me) that let me see this twin now. */
export const grantsFor = (grants: readonly GrantRecord[], twin: TwinRecord, now: string) =>
  grants.filter((grant) => grantActive(grant, now) && grantCovers(grant, twin));

/** What I see of a twin shared through these grants: their views together. */
export const sharedView = (grants: readonly GrantRecord[]) => unionOfViews(grants.map((grant) => grant.view));

/**
 * May I write at these positions? Each one must be inside the view of a grant that gives the
 * permission; a write touching no position (a lifecycle move) needs the permission and a view
 * without position limits.
 */
export function permits(
  grants: readonly GrantRecord[],
  permission: GrantPermission,
  paths: readonly string[],
) {
  const allowing = grants.filter((grant) => grant.permissions.includes(permission));
  if (allowing.length === 0) return false;
  if (paths.length === 0) return allowing.some((grant) => grant.view.positions === undefined);
  return paths.every((path) => allowing.some((grant) => pathVisible(grant.view, path)));
}

/** How a grant is shown: its pinned view as `viewId`/`viewVersion` plus the view itself. */
export const presentGrant = (grant: GrantRecord, now: string) => ({
  ...grant,
  viewId: grant.view.id,
  viewVersion: grant.view.version,
  active: grantActive(grant, now),
});
