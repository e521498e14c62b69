import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/access';
import { TwinthreadStack } from '../../infra/stack';
import { leadingKeysOf } from '../../infra/tenant-role';
import { FUNCTION_NAMES, type FunctionName, routesOf } from '../../shared/routes';
import { actionsInBundle } from '../support/bundle-commands';
import { asArray, flatten, type Resources, type Statement, SYNTH_TIMEOUT } from '../support/template';

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** What each function may do, as read from its code (infra/access.ts says why, command by command). */
const EXPECTED: Record<FunctionName, { table: string[]; indexes: string[]; bucket: string[] }> = {
  system: { table: [], indexes: [], bucket: [] },
  twins: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'site', 'product'],
    bucket: [],
  },
  thread: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product', 'fleet', 'grantee'],
    bucket: ['s3:GetObject', 's3:PutObject'],
  },
  sharing: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['grantee', 'list', 'site', 'product', 'search', 'fleet'],
    bucket: ['s3:GetObject'],
  },
  fleet: { table: READ, indexes: ['fleet', 'search', 'product', 'list'], bucket: [] },
  ingest: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'product'],
    bucket: [],
  },
  events: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: ['list'], bucket: [] },
  exchange: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product'],
    bucket: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
  },
  docs: { table: [], indexes: [], bucket: [] },
  aas: {
    table: [...READ, ...WRITE, 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product', 'grantee', 'site'],
    bucket: [],
  },
  usage: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'fleet'],
    bucket: [],
  },
};

const AUTH_VARIABLES = [
  'AUTH_AUDIENCE',
  'AUTH_CLIENT_IDS',
  'AUTH_ISSUER',
  'AUTH_JWKS_URL',
  'AUTH_ROLES_CLAIM',
  'AUTH_TENANT_CLAIM',
];

describe('least privilege, function by function', () => {
  let template: Template;
  let functions: Map<
    FunctionName,
    { roleId: string; tenantRoleId?: string; variables: Record<string, unknown> }
  >;
  let tableArn: string;
  let objectsArn: string;

  beforeAll(() => {
    // Prepare
    const stack = new TwinthreadStack(new App(), 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    functions = new Map(
      Object.values(template.findResources('AWS::Lambda::Function') as Resources)
        .filter((fn) => String(fn.Properties.Description).startsWith('twinthread '))
        .map((fn) => [
          String(fn.Properties.Description).replace('twinthread ', '') as FunctionName,
          {
            roleId: (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
            tenantRoleId: (
              (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
                .TENANT_ROLE_ARN as { 'Fn::GetAtt': [string, string] } | undefined
            )?.['Fn::GetAtt'][0],
            variables: (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
          },
        ]),
    );
    tableArn = `<${Object.keys(template.findResources('AWS::DynamoDB::Table'))[0]}.Arn>`;
    const bucketId = Object.keys(
      template.findResources('AWS::S3::Bucket', {
        Properties: { VersioningConfiguration: { Status: 'Enabled' } },
      }),
    )[0];
    objectsArn = `<${bucketId}.Arn>/tenants/\${aws:PrincipalTag/tenant}/*`;
  }, SYNTH_TIMEOUT);

  /** Every statement of the policies attached to a role. */
  const statementsOf = (roleId: string | undefined): Statement[] =>
    Object.values(template.findResources('AWS::IAM::Policy') as Resources)
      .filter((policy) => asArray(policy.Properties.Roles).some((role) => flatten(role) === `<${roleId}>`))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

  /** `action resource` of every table and bucket grant of a function's tenant-scoped role. */
  const grantsOf = (name: FunctionName): string[] => {
    const { tenantRoleId } = functions.get(name)!;
    if (tenantRoleId === undefined) return [];
    return statementsOf(tenantRoleId)
      .flatMap((statement) =>
        asArray(statement.Action)
          .filter((action) => /^(dynamodb|s3):/.test(action))
          .flatMap((action) =>
            asArray(statement.Resource).map((resource) => `${action} ${flatten(resource)}`),
          ),
      )
      .sort();
  };

  it.each(FUNCTION_NAMES)(
    'grants %s exactly its table actions, Query on its indexes only, its bucket actions',
    (name) => {
      // Prepare
      const expected = EXPECTED[name];
      // Act
      const granted = grantsOf(name);
      // Assess
      expect(granted).toEqual(
        [
          ...expected.table.map((action) => `${action} ${tableArn}`),
          ...expected.indexes.map((index) => `dynamodb:Query ${tableArn}/index/${index}`),
          ...expected.bucket.map((action) => `${action} ${objectsArn}`),
        ].sort(),
      );
    },
  );

  it.each(FUNCTION_NAMES)(
    'lets %s reach the table and the bucket only through its tenant-scoped role, on the tagged tenant’s keys',
    (name) => {
      // Prepare
      const { roleId, tenantRoleId } = functions.get(name)!;
      const expected = EXPECTED[name];
      const own = statementsOf(roleId);
      // Act
      const dataActions = own.flatMap((statement) =>
        asArray(statement.Action).filter((action) => /^(dynamodb|s3):/.test(action)),
      );
      const assume = own
        .filter((statement) => asArray(statement.Action).some((action) => action.startsWith('sts:')))
        .map((statement) => `${asArray(statement.Action).sort().join(',')} ${flatten(statement.Resource)}`);
      // Assess
      expect(dataActions).toEqual([]);
      if (expected.table.length === 0 && expected.bucket.length === 0) {
        expect(tenantRoleId).toBeUndefined();
        expect(assume).toEqual([]);
        return;
      }
      expect(assume).toEqual([`sts:AssumeRole,sts:TagSession <${tenantRoleId}.Arn>`]);
      const trust = (
        template.findResources('AWS::IAM::Role')[tenantRoleId!]!.Properties as {
          AssumeRolePolicyDocument: { Statement: Statement[] };
        }
      ).AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([
        {
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        },
      ]);
      const patterns = [
        `TENANT#\${aws:PrincipalTag/tenant}#*`,
        ...(name === 'sharing' ? [`TENANT#\${aws:PrincipalTag/peer}#*`] : []),
        // the scheduler's list, written with a baseline policy and read by the scheduled job
        ...(name === 'twins' ? ['TENANT#@system#SCHEDULES'] : []),
      ];
      expect(leadingKeysOf(name)).toEqual(patterns);
      for (const statement of statementsOf(tenantRoleId)) {
        const actions = asArray(statement.Action);
        if (actions.some((action) => action.startsWith('dynamodb:')))
          expect(statement.Condition).toEqual({
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          });
        else expect(asArray(statement.Resource).map(flatten)).toEqual([objectsArn]);
      }
    },
  );

  it.each(FUNCTION_NAMES)('gives %s only the settings it reads', (name) => {
    // Prepare
    const expected = EXPECTED[name];
    const { variables } = functions.get(name)!;
    const verifiesTokens = name !== 'system' && name !== 'docs';
    // Assess
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
        'TWINTHREAD_FUNCTION',
        ...(expected.table.length > 0 || expected.bucket.length > 0 ? ['TENANT_ROLE_ARN'] : []),
        ...(expected.table.length > 0 ? ['TABLE_NAME'] : []),
        ...(expected.bucket.length > 0 ? ['BUCKET_NAME'] : []),
        ...(verifiesTokens ? AUTH_VARIABLES : []),
        // the functions that page read the cursor key secret (test/infra/stack.test.ts)
        ...(FUNCTION_ACCESS[name].pages ? ['CURSOR_KEY_SECRET_ARN'] : []),
      ].sort(),
    );
    if (verifiesTokens) {
      expect(variables).toMatchObject({
        AUTH_JWKS_URL: { Ref: 'AuthJwksUrl' },
        AUTH_ISSUER: { Ref: 'AuthIssuer' },
        AUTH_AUDIENCE: { Ref: 'AuthAudience' },
        AUTH_CLIENT_IDS: { Ref: 'AuthClientIds' },
        AUTH_TENANT_CLAIM: { Ref: 'AuthTenantClaim' },
        AUTH_ROLES_CLAIM: { Ref: 'AuthRolesClaim' },
      });
    }
  });

  it.each(FUNCTION_NAMES)(
    'grants %s what the commands in its bundle need, and nothing they do not',
    async (name) => {
      // Prepare
      const { table, bucket, pages } = FUNCTION_ACCESS[name];
      // the tenant-scoped credentials: sts:AssumeRole (with sts:TagSession) on the function's tenant role
      const scoped = table.length > 0 || bucket.length > 0 ? ['sts:AssumeRole'] : [];
      const granted = [
        ...table,
        ...bucket,
        ...scoped,
        ...(pages ? ['secretsmanager:GetSecretValue'] : []),
      ].sort();
      // Act
      const { actions, unknown } = await actionsInBundle(name);
      // Assess
      expect(unknown, 'commands without a known IAM action').toEqual([]);
      if (routesOf(name).every((route) => !route.auth && !route.twinData)) {
        // public routes without twin data: the shared handler's role-view read (one GetItem for a
        // verified caller of a twin-data route) and the cursor key's read (they get no secret ARN)
        // are bundled but never reached
        expect(granted).toEqual([]);
        expect(
          actions.filter(
            (action) =>
              !['dynamodb:GetItem', 'secretsmanager:GetSecretValue', 'sts:AssumeRole'].includes(action),
          ),
        ).toEqual([]);
      } else {
        expect(actions).toEqual(granted);
      }
    },
    SYNTH_TIMEOUT,
  );
});
