import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/access';
import { TwinthreadStack } from '../../infra/stack';
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
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'product', 'fleet'],
    bucket: ['s3:GetObject', 's3:PutObject'],
  },
  sharing: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['grantee', 'list', 'site', 'product'],
    bucket: ['s3:GetObject'],
  },
  fleet: { table: READ, indexes: ['fleet', 'list'], bucket: [] },
  ingest: { table: [...READ, ...WRITE], indexes: ['list', 'product'], bucket: [] },
  events: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: ['list'], bucket: [] },
  exchange: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product'],
    bucket: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
  },
  docs: { table: [], indexes: [], bucket: [] },
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
  let functions: Map<FunctionName, { roleId: string; variables: Record<string, unknown> }>;
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
    objectsArn = `<${bucketId}.Arn>/tenants/*`;
  }, SYNTH_TIMEOUT);

  /** `action resource` of every table and bucket grant of a function's role. */
  const grantsOf = (name: FunctionName): string[] => {
    const roleId = functions.get(name)!.roleId;
    return Object.values(template.findResources('AWS::IAM::Policy') as Resources)
      .filter((policy) => asArray(policy.Properties.Roles).some((role) => flatten(role) === `<${roleId}>`))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
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
      const granted = [...table, ...bucket, ...(pages ? ['secretsmanager:GetSecretValue'] : [])].sort();
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
          actions.filter((action) => !['dynamodb:GetItem', 'secretsmanager:GetSecretValue'].includes(action)),
        ).toEqual([]);
      } else {
        expect(actions).toEqual(granted);
      }
    },
    SYNTH_TIMEOUT,
  );
});
