import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS } from '../../infra/access';
import { API_THROTTLE, TwinthreadStack } from '../../infra/stack';
import { FUNCTION_NAMES, routeKey, routes } from '../../shared/routes';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/store/table';
import { asArray, flatten, type Resources, type Statement, SYNTH_TIMEOUT } from '../support/template';

const STREAM_READ = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

/** Every Allow statement of the identity policies (roles' inline and attached policies). */
const identityStatements = (template: Template): Statement[] => {
  const documents: { Statement: Statement[] }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy') as Resources)) {
    documents.push(policy.Properties.PolicyDocument as { Statement: Statement[] });
  }
  for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy') as Resources)) {
    documents.push(policy.Properties.PolicyDocument as { Statement: Statement[] });
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role') as Resources)) {
    const inline = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    documents.push(...inline.map((policy) => policy.PolicyDocument));
  }
  return documents
    .flatMap((document) => document.Statement)
    .filter((statement) => statement.Effect === 'Allow');
};

const logicalIdOf = (template: Template, type: string, match: Record<string, unknown>): string => {
  const ids = Object.keys(template.findResources(type, { Properties: match }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('TwinthreadStack', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare
    const app = new App();
    const stack = new TwinthreadStack(app, 'Twinthread');
    // Act
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT);

  it('has the table with the keys, every GSI, PITR, the stream and TTL, retained', () => {
    // Prepare
    const gsis = Object.values(INDEXES).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    const keyAttributes = [
      TABLE_KEYS.partitionKey,
      TABLE_KEYS.sortKey,
      ...Object.values(INDEXES).flatMap((index) => [index.partitionKey, index.sortKey]),
    ];

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals(
          keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        ),
        GlobalSecondaryIndexes: Match.arrayEquals(gsis),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      },
    });
  });

  it('has the document bucket private, encrypted, versioned, logged, retained, with CORS for presigned URLs', () => {
    // Prepare
    const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
    });

    // Act
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];

    // Assess
    expect(bucket).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: { DestinationBucketName: expect.anything() },
      },
    });
    const cors = bucket?.Properties.CorsConfiguration.CorsRules[0];
    expect(cors.AllowedMethods).toEqual(expect.arrayContaining(['PUT', 'GET']));
  });

  it('denies every non-TLS request to each bucket', () => {
    // Prepare
    const bucketIds = Object.keys(template.findResources('AWS::S3::Bucket'));

    // Act
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy') as Resources);

    // Assess
    expect(bucketIds.length).toBeGreaterThan(0);
    for (const bucketId of bucketIds) {
      const policy = policies.find((candidate) => flatten(candidate.Properties.Bucket) === `<${bucketId}>`);
      expect(policy?.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('has one Node.js 22 arm64 Lambda per function, with its own log group, never a local endpoint', () => {
    // Prepare
    const functions = template.findResources('AWS::Lambda::Function');

    // Act
    const descriptions = Object.values(functions as Resources).map((fn) => fn.Properties.Description);

    // Assess
    expect(descriptions.sort()).toEqual(FUNCTION_NAMES.map((name) => `twinthread ${name}`).sort());
    for (const fn of Object.values(functions as Resources)) {
      // API Gateway answers within 29 s; only the exchange function also runs tenant export jobs (15 min)
      const timeout = fn.Properties.Description === 'twinthread exchange' ? 900 : 29;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'twinthread' } },
      });
      // each function's exact environment: test/infra/access.test.ts
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).not.toHaveProperty('DYNAMODB_ENDPOINT');
      expect(variables).not.toHaveProperty('S3_ENDPOINT');
    }
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: Match.anyValue() },
      FUNCTION_NAMES.length + 1,
    );
  });

  it('takes the token settings from parameters, claims defaulting to tenant and roles, no client id by default', () => {
    // Assess
    template.hasParameter('AuthIssuer', { Type: 'String' });
    template.hasParameter('AuthAudience', { Type: 'String' });
    template.hasParameter('AuthJwksUrl', { Type: 'String' });
    template.hasParameter('AuthClientIds', { Type: 'String', Default: '' });
    template.hasParameter('AuthTenantClaim', { Type: 'String', Default: 'tenant' });
    template.hasParameter('AuthRolesClaim', { Type: 'String', Default: 'roles' });
  });

  it('has no API Gateway authorizer: the functions alone verify tokens, as locally', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources)) {
      expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(route.Properties).not.toHaveProperty('AuthorizerId');
    }
  });

  it('throttles every route on the stage', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      },
    });
  });

  it('has one API route per route-table entry, to its function', () => {
    // Prepare
    const functionOfLogicalId = new Map(
      Object.entries(template.findResources('AWS::Lambda::Function') as Resources).map(([id, fn]) => [
        id,
        String(fn.Properties.Description).replace('twinthread ', ''),
      ]),
    );
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Resources;

    // Act
    const deployed = new Map(
      Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources).map((route) => [
        route.Properties.RouteKey as string,
        route.Properties,
      ]),
    );

    // Assess
    expect([...deployed.keys()].sort()).toEqual(routes.map(routeKey).sort());
    for (const route of routes) {
      const properties = deployed.get(routeKey(route));
      const integrationId = flatten(properties?.Target).replace('integrations/<', '').replace('>', '');
      const uri = flatten(integrations[integrationId]?.Properties.IntegrationUri);
      const functionId = uri.replace(/^<|\.Arn>$/g, '');
      expect(functionOfLogicalId.get(functionId)).toBe(route.function);
    }
  });

  it('never deploys a /dev route', () => {
    // Act
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources).map(
      (route) => route.Properties.RouteKey as string,
    );

    // Assess
    expect(keys.filter((key) => / \/dev(\/|$)/.test(key))).toEqual([]);
  });

  it('logs every request on the default stage', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('grants no wildcard action and table actions only on the table and its indexes', () => {
    // Prepare
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const allowedTableResources = new Set([
      `<${tableId}.Arn>`,
      ...Object.values(INDEXES).map((index) => `<${tableId}.Arn>/index/${index.name}`),
    ]);

    // Act
    const statements = identityStatements(template);

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = asArray(statement.Action);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      // the change-feed pipe reads the table's stream, and only that (test/infra/events.test.ts)
      if (actions.every((action) => STREAM_READ.includes(action))) {
        expect(asArray(statement.Resource).map(flatten)).toEqual([`<${tableId}.StreamArn>`]);
      } else if (actions.some((action) => action.startsWith('dynamodb:'))) {
        for (const resource of asArray(statement.Resource).map(flatten)) {
          expect(allowedTableResources).toContain(resource);
        }
      }
    }
  });

  it('seals cursors with a generated secret only the functions that page may read, each told its ARN', () => {
    // Prepare
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const roles = template.findResources('AWS::IAM::Role') as Resources;
    const policies = template.findResources('AWS::IAM::Policy') as Resources;

    for (const name of FUNCTION_NAMES) {
      // Act
      const fn = Object.values(functions).find(
        (candidate) => candidate.Properties.Description === `twinthread ${name}`,
      )!;
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(roles).toHaveProperty(roleId);
      const secretReads = Object.values(policies)
        .filter((policy) =>
          (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
        )
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((statement) =>
          asArray(statement.Action).some((action) => action.startsWith('secretsmanager:')),
        );
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      if (FUNCTION_ACCESS[name].pages) {
        expect(variables.CURSOR_KEY_SECRET_ARN, name).toEqual({ Ref: secretId });
        expect(
          secretReads.flatMap((statement) => asArray(statement.Resource).map(flatten)),
          name,
        ).toEqual([`<${secretId}>`]);
        expect(secretReads.flatMap((statement) => asArray(statement.Action)).sort(), name).toEqual([
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]);
      } else {
        expect(variables, name).not.toHaveProperty('CURSOR_KEY_SECRET_ARN');
        expect(secretReads, name).toEqual([]);
      }
    }
    expect(FUNCTION_NAMES.filter((name) => !FUNCTION_ACCESS[name].pages).sort()).toEqual(['docs', 'system']);
  });

  it('outputs the API URL, the table name and the bucket name', () => {
    // Assess
    template.hasOutput('ApiUrl', {});
    template.hasOutput('TableName', {});
    template.hasOutput('BucketName', {});
  });
});

describe('TwinthreadStack with bucket access', () => {
  it(
    'grants bucket actions only on objects under tenants/<the session’s tenant>/',
    () => {
      // Prepare
      const app = new App();
      const stack = new TwinthreadStack(app, 'Twinthread', {
        access: {
          ...FUNCTION_ACCESS,
          twins: { table: [], indexes: [], bucket: ['s3:GetObject', 's3:PutObject'] },
        },
      });
      const checks = new AwsSolutionsChecks();

      // Act
      const template = Template.fromStack(stack);
      const report = checks.validateScope(app);

      // Assess
      const bucketStatements = identityStatements(template).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('s3:')),
      );
      expect(bucketStatements.length).toBeGreaterThan(0);
      for (const statement of bucketStatements) {
        for (const resource of asArray(statement.Resource).map(flatten)) {
          expect(resource).toMatch(
            /^<DocumentsBucket[0-9A-F]+\.Arn>\/tenants\/\$\{aws:PrincipalTag\/tenant\}\/\*$/,
          );
        }
      }
      // the tenants/<tenant>/* wildcard is acknowledged, with its reason, where it is granted
      expect(report.violations).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );
});

describe('cdk-nag AwsSolutions', () => {
  it(
    'reports no unacknowledged error or warning',
    () => {
      // Prepare
      const app = new App();
      new TwinthreadStack(app, 'Twinthread');
      const checks = new AwsSolutionsChecks(app);
      Validations.of(app).addPlugins(checks);

      // Act
      // with the plugin registered, an in-memory synth throws on any error-level finding
      app.synth();
      // warnings do not fail a synth: ask the pack directly for everything left unacknowledged
      const report = checks.validateScope(app);

      // Assess
      const findings = report.violations.flatMap((violation) =>
        violation.violatingResources.map(
          (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
        ),
      );
      expect(findings).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );
});
