import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeClients, documentClient, dynamoClient, s3Client } from '../../shared/store/clients';
import { useStsClient } from '../../shared/store/scoped-credentials';
import { getGrant } from '../../shared/store/sharing-store';
import { asGrantOwner, inTenantScope, withPeer } from '../../shared/store/tenant-scope';
import { type AssumeRoleInput, fakeSts } from '../support/fake-sts';

const ROLE = 'arn:aws:iam::123456789012:role/twinthread-twins-tenant';

const tagsOf = (input: AssumeRoleInput) => Object.fromEntries(input.Tags.map((tag) => [tag.Key, tag.Value]));

describe('deployed, the stores get only tenant-scoped clients', () => {
  let asked: AssumeRoleInput[];

  beforeEach(() => {
    // Prepare
    asked = [];
    closeClients();
    vi.stubEnv('TENANT_ROLE_ARN', ROLE);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    useStsClient(fakeSts(asked));
  });
  afterEach(() => {
    closeClients();
    useStsClient(undefined);
    vi.unstubAllEnvs();
  });

  it('has no client at all outside a tenant scope: a store call fails before any request', async () => {
    // Act, Assess
    expect(() => documentClient()).toThrow(/outside a tenant scope/);
    expect(() => dynamoClient()).toThrow(/outside a tenant scope/);
    expect(() => s3Client()).toThrow(/outside a tenant scope/);
    await expect(getGrant('acme', '01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toThrow(/outside a tenant scope/);
    expect(asked).toEqual([]);
  });

  it('signs with credentials assumed for the scope’s tenant, as a session tag, once per tenant', async () => {
    // Act
    const [first, again, other] = await Promise.all([
      inTenantScope('acme', async () => documentClient()),
      inTenantScope('acme', async () => documentClient()),
      inTenantScope('globex', async () => documentClient()),
    ]);
    const acmeKeys = await first!.config.credentials();
    const repeated = await again!.config.credentials();
    const globexKeys = await other!.config.credentials();
    const s3Keys = await inTenantScope('acme', async () => s3Client().config.credentials());
    // Assess
    expect(first).toBe(again);
    expect(other).not.toBe(first);
    expect(acmeKeys.accessKeyId).toMatch(/^key-acme-/);
    expect(repeated.accessKeyId).toBe(acmeKeys.accessKeyId);
    expect(s3Keys.accessKeyId).toBe(acmeKeys.accessKeyId);
    expect(globexKeys.accessKeyId).toMatch(/^key-globex-/);
    expect(asked.map((input) => input.RoleArn)).toEqual([ROLE, ROLE]);
    expect(asked.map(tagsOf).sort((a, b) => (a.tenant! < b.tenant! ? -1 : 1))).toEqual([
      { tenant: 'acme', peer: 'acme' },
      { tenant: 'globex', peer: 'globex' },
    ]);
    for (const input of asked) expect(input.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('enters an owner’s scope only for grants of that owner to the caller’s tenant', async () => {
    // Prepare
    const grant = { owner: 'acme', grantee: 'cool-air' };
    // Act
    const ownerKeys = await inTenantScope('cool-air', () =>
      asGrantOwner('acme', [grant], async () => documentClient().config.credentials()),
    );
    // Assess
    expect(ownerKeys.accessKeyId).toMatch(/^key-acme-/);
    await expect(
      inTenantScope('intruder', () => asGrantOwner('acme', [grant], async () => documentClient())),
    ).rejects.toThrow(/No proved grant/);
    await expect(
      inTenantScope('cool-air', () => asGrantOwner('globex', [grant], async () => documentClient())),
    ).rejects.toThrow(/No proved grant/);
    await expect(
      inTenantScope('cool-air', () => asGrantOwner('acme', [], async () => documentClient())),
    ).rejects.toThrow(/No proved grant/);
  });

  it('adds a peer tenant only inside a scope (grant writes), tagged beside the tenant', async () => {
    // Act
    await inTenantScope('acme', () =>
      withPeer('cool-air', async () => documentClient().config.credentials()),
    );
    // Assess
    expect(asked.map(tagsOf)).toEqual([{ tenant: 'acme', peer: 'cool-air' }]);
    await expect(withPeer('cool-air', async () => undefined)).rejects.toThrow(/No tenant scope/);
  });
});

describe('locally (no TENANT_ROLE_ARN), the same code path uses the local client', () => {
  it('gives every scope the one local client and never asks STS', async () => {
    // Prepare
    const asked: AssumeRoleInput[] = [];
    useStsClient(fakeSts(asked));
    // Act
    const outside = documentClient();
    const inside = await inTenantScope('acme', async () => documentClient());
    // Assess
    expect(inside).toBe(outside);
    expect(asked).toEqual([]);
    useStsClient(undefined);
  });
});
