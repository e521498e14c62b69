import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whose data a piece of work may touch: the tenant of the verified token, set once per request by
 * the handler (shared/http/handler.ts), or the job's tenant for a tenant export stage. Deployed,
 * the store's clients sign every DynamoDB and S3 call with credentials assumed for this scope
 * (shared/store/clients.ts), so IAM, not only the keys the code builds, keeps the work on the
 * scope's keys (`dynamodb:LeadingKeys` `TENANT#<tenant>#*`, objects `tenants/<tenant>/*`).
 */
export interface TenantScope {
  /** The tenant every call is scoped to. */
  readonly tenant: string;
  /**
   * A second tenant the same calls may touch: only the sharing function's grant writes (a grant
   * and its events go to the owner's and the grantee's feeds in one transaction).
   * @default none
   */
  readonly peer?: string;
}

const scopes = new AsyncLocalStorage<TenantScope>();

/** Runs `work` scoped to `tenant` (the caller's tenant: from the verified token only). */
export function inTenantScope<T>(tenant: string, work: () => Promise<T>): Promise<T> {
  return scopes.run({ tenant }, work);
}

/** The scope of the work running now, if any. */
export function currentScope(): TenantScope | undefined {
  return scopes.getStore();
}

/**
 * Runs `work` in the scope of `owner` for grants of `owner` to the current scope's tenant: to
 * confirm the grants the caller's own grantee index lists (their items live in the owner's
 * partition), then, once confirmed, to read and write the shared twin. Every grant must be given
 * by `owner` to the tenant of the current scope, else this rejects before any call is made.
 */
export function asGrantOwner<T>(
  owner: string,
  grants: readonly { owner: string; grantee: string }[],
  work: () => Promise<T>,
): Promise<T> {
  const scope = scopes.getStore();
  const proved =
    scope !== undefined &&
    grants.length > 0 &&
    grants.every((grant) => grant.owner === owner && grant.grantee === scope.tenant);
  if (!proved) return Promise.reject(new Error(`No proved grant of ${owner} to this scope`));
  return scopes.run({ tenant: owner }, work);
}

/**
 * Runs `work` with the current tenant and one `peer` tenant: a grant written by its owner, or
 * revoked or declined, puts its events in both tenants' feeds in one transaction.
 */
export function withPeer<T>(peer: string, work: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore();
  if (scope === undefined) return Promise.reject(new Error('No tenant scope to add a peer to'));
  return scopes.run(peer === scope.tenant ? { tenant: scope.tenant } : { tenant: scope.tenant, peer }, work);
}
