import { createHash } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { TenantScope } from './tenant-scope';

/** Session tag keys the tenant roles' policies read (`${aws:PrincipalTag/tenant}`, `.../peer`). */
export const SCOPE_TAGS = { tenant: 'tenant', peer: 'peer' } as const;

/**
 * A scope's session lasts an hour (the most a role chained from the function's own role may);
 * it is renewed 10 minutes before it ends, so a presigned URL (5 minutes) signed with it never
 * outlives its credentials.
 */
export const SESSION_SECONDS = 3600;
export const RENEW_BEFORE_MS = 10 * 60_000;

let sts: STSClient | undefined;

/** The STS client the scopes are assumed with (the function's own role). */
export function stsClient(): STSClient {
  sts ??= new STSClient({});
  return sts;
}

/** Tests: the STS client to assume scopes with from now on. */
export function useStsClient(client: STSClient | undefined): void {
  sts = client;
}

/** A session name within STS's 64 characters and alphabet, telling operators whose session it is. */
const sessionName = (scope: TenantScope) => {
  const digest = createHash('sha256')
    .update(`${scope.tenant}|${scope.peer ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return `t-${scope.tenant.slice(0, 40).replace(/[^\w+=,.@-]/g, '_')}-${digest}`;
};

/**
 * Credentials of `roleArn` assumed for one scope: the tenant (and a peer, for grant writes) as
 * session tags, which the role's policy turns into `dynamodb:LeadingKeys` and object-prefix
 * conditions. Assumed on first use and kept until shortly before they end (one STS call per scope
 * and hour in a container); a failed call is not kept, so the next request tries again.
 */
export function scopedCredentials(roleArn: string, scope: TenantScope): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let renewAt = 0;
  // always both tags (a policy variable of a missing tag matches nothing): peer = tenant but for grant writes
  const tags = [
    { Key: SCOPE_TAGS.tenant, Value: scope.tenant },
    { Key: SCOPE_TAGS.peer, Value: scope.peer ?? scope.tenant },
  ];
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { Credentials: credentials } = await stsClient().send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName(scope),
        DurationSeconds: SESSION_SECONDS,
        Tags: tags,
      }),
    );
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
      throw new Error(`STS gave no credentials for ${roleArn}`);
    const expiration = credentials.Expiration ?? new Date(Date.now() + SESSION_SECONDS * 1000);
    renewAt = expiration.getTime() - RENEW_BEFORE_MS;
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      expiration,
    };
  };
  return () => {
    if (current === undefined || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY;
      current = assume().catch((error: unknown) => {
        current = undefined;
        throw error;
      });
    }
    return current;
  };
}
