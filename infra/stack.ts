import {
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config';
import { FUNCTION_NAMES, type FunctionName, routes, routesOf } from '../shared/routes';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../shared/store/table';
import { FUNCTION_ACCESS, type FunctionAccess, SCHEDULED_JOBS } from './access';
import { bundlingOf, DEPS_LOCK_FILE, functionEntry, PROJECT_ROOT } from './bundling';
import { Monitoring } from './monitoring';
import { TenantScopedRole } from './tenant-role';

export interface TwinthreadStackProps extends StackProps {
  /**
   * What each function may do on the table and the bucket.
   * @default FUNCTION_ACCESS (infra/access.ts)
   */
  readonly access?: Readonly<Record<FunctionName, FunctionAccess>>;
}

/** The EventBridge bus the change feed is published on, and the `source` of its events. */
export const EVENT_BUS_NAME = 'twinthread-events';
export const EVENT_SOURCE = 'twinthread';

/** Logs of the functions and of the API are operational data; the audit trail lives in the table. */
const LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Each stage of a tenant export job runs in one invocation of the exchange function: Lambda's maximum. */
const EXPORT_JOB_TIMEOUT = Duration.minutes(15);
/**
 * Requests per second (steady, burst) the API stage lets through: with no authorizer in front,
 * this bounds what unauthenticated traffic can cost before the functions refuse it.
 */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

const pascal = (name: string): string =>
  name.replace(/(^|[-_])([a-z0-9])/g, (_match, _sep: string, char: string) => char.toUpperCase());

/** twinthread deployed: one table, one document bucket, one Lambda per function, one HTTP API. */
export class TwinthreadStack extends Stack {
  constructor(scope: Construct, id: string, props: TwinthreadStackProps = {}) {
    super(scope, id, {
      description: 'twinthread: digital twin configurations and their digital thread',
      ...props,
    });
    // access logs delivered through a bucket policy, not the legacy LogDeliveryWrite ACL
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const access = props.access ?? FUNCTION_ACCESS;

    const authIssuer = new CfnParameter(this, 'AuthIssuer', {
      type: 'String',
      description:
        'Issuer (iss) of the access tokens, e.g. https://cognito-idp.<region>.amazonaws.com/<pool>',
      allowedPattern: '^https://.+',
    });
    const authAudience = new CfnParameter(this, 'AuthAudience', {
      type: 'String',
      description: 'Audience (aud) a token that carries aud must name (ID tokens: the app client id)',
      minLength: 1,
    });
    const authClientIds = new CfnParameter(this, 'AuthClientIds', {
      type: 'String',
      description:
        'Comma-separated client ids accepted as client_id in tokens without aud (Cognito access tokens of machine clients); empty: none',
      default: '',
    });
    const authJwksUrl = new CfnParameter(this, 'AuthJwksUrl', {
      type: 'String',
      description: 'JWKS URL of the issuer, used by the functions to verify every token',
      allowedPattern: '^https://.+',
    });
    const authTenantClaim = new CfnParameter(this, 'AuthTenantClaim', {
      type: 'String',
      description: 'Token claim carrying the tenant id',
      default: 'tenant',
    });
    const authRolesClaim = new CfnParameter(this, 'AuthRolesClaim', {
      type: 'String',
      description: 'Token claim carrying the roles',
      default: 'roles',
    });

    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(INDEXES)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }

    const accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // server access logging delivers only to SSE-S3 buckets
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const bucket = new Bucket(this, 'DocumentsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      // browsers upload and download thread documents directly with presigned URLs; the
      // signature, not the origin, is what authorizes them
      cors: [
        {
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Page cursors are sealed (AES-256-GCM) with a key derived from this secret, read once per cold start.
    const cursorKey = new Secret(this, 'CursorKey', {
      description: 'twinthread: seals page cursors (any string of at least 32 characters)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(cursorKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The cursor key only seals page cursors that live minutes; it holds no credential. Rotating it ends the open cursors (a client starts its listing again), so it is rotated by hand, not on a schedule.',
    });

    // Each function gets only the settings it reads: the table's and bucket's names with access to
    // them, the token settings with routes that need a token (the functions alone verify tokens).
    const authEnvironment: Record<string, string> = {
      [ENV.jwksUrl]: authJwksUrl.valueAsString,
      [ENV.issuer]: authIssuer.valueAsString,
      [ENV.audience]: authAudience.valueAsString,
      [ENV.clientIds]: authClientIds.valueAsString,
      [ENV.tenantClaim]: authTenantClaim.valueAsString,
      [ENV.rolesClaim]: authRolesClaim.valueAsString,
    };
    const environmentOf = (name: FunctionName): Record<string, string> => ({
      ...(access[name].table.length > 0 ? { [ENV.tableName]: table.tableName } : {}),
      ...(access[name].bucket.length > 0 ? { [ENV.bucketName]: bucket.bucketName } : {}),
      ...(routesOf(name).some((route) => route.auth) ? authEnvironment : {}),
      // the functions that page read the cursor key (and may: see below)
      ...(access[name].pages ? { [ENV.cursorKeySecretArn]: cursorKey.secretArn } : {}),
      POWERTOOLS_SERVICE_NAME: 'twinthread',
      // the function's name in the route table: the `function` dimension of its metrics
      TWINTHREAD_FUNCTION: name,
      // stack traces through the bundled source maps
      NODE_OPTIONS: '--enable-source-maps',
    });

    const functions = new Map<FunctionName, NodejsFunction>();
    for (const name of FUNCTION_NAMES) {
      const id = pascal(name);
      const logGroup = new LogGroup(this, `${id}Logs`, {
        retention: LOG_RETENTION,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // an own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only
      const role = new Role(this, `${id}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `twinthread ${name} function`,
      });
      logGroup.grantWrite(role);

      const { table: tableActions, bucket: bucketActions, pages } = access[name];
      if (pages) cursorKey.grantRead(role);
      // the table and the bucket only through the tenant-scoped role (infra/tenant-role.ts)
      const tenantRole =
        tableActions.length > 0 || bucketActions.length > 0
          ? new TenantScopedRole(this, `${id}TenantRole`, {
              functionName: name,
              functionRole: role,
              access: access[name],
              table,
              bucket,
            })
          : undefined;

      const fn = new NodejsFunction(this, `${id}Function`, {
        description: `twinthread ${name}`,
        entry: functionEntry(name),
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: DEPS_LOCK_FILE,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        // more memory means more CPU, hence shorter cold starts
        memorySize: 512,
        // the exchange function also runs tenant export jobs (asynchronous self-invocations)
        timeout: name === 'exchange' ? EXPORT_JOB_TIMEOUT : Duration.seconds(29),
        role,
        logGroup,
        environment: {
          ...environmentOf(name),
          ...(tenantRole ? { [ENV.tenantRoleArn]: tenantRole.role.roleArn } : {}),
        },
        bundling: bundlingOf(name),
        // X-Ray active tracing: Powertools Tracer adds the SDK calls, the route and tenant annotations
        tracing: Tracing.ACTIVE,
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords take no resource (X-Ray supports only *).',
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'Runtime pinned to nodejs22.x on purpose: the code and its bundle target Node 20/22 (engines >=20, esbuild target node22); moving to a newer runtime is a deliberate, tested upgrade.',
      });
      functions.set(name, fn);
    }

    // ---- scheduled jobs (EventBridge Scheduler) ------------------------------------------------------
    for (const [id, job] of Object.entries(SCHEDULED_JOBS)) {
      const target = functions.get(job.function)!;
      const role = new Role(this, `${id}ScheduleRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
        description: job.description,
      });
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
      );
      new CfnSchedule(this, `${id}Schedule`, {
        description: job.description,
        scheduleExpression: job.every,
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: target.functionArn,
          roleArn: role.roleArn,
          input: JSON.stringify(job.input),
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 900 },
        },
      });
    }

    // ---- tenant exports ----------------------------------------------------------------------------
    // POST /v1/exports answers at once; the job runs in an asynchronous invocation of the exchange
    // function itself. It may invoke itself and nothing else (a separate policy: the function's own
    // ARN in its role's default policy would be a dependency cycle). A failed job is recorded as
    // failed on the job item, so Lambda does not retry it.
    const exchange = functions.get('exchange')!;
    new Policy(this, 'ExchangeSelfInvoke', {
      roles: [exchange.role!],
      statements: [
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [exchange.functionArn] }),
      ],
    });
    exchange.configureAsyncInvoke({ retryAttempts: 0 });

    // ---- fleet re-judgements -----------------------------------------------------------------------
    // A new configuration model version re-judges the product's units in stages, each an asynchronous
    // invocation of the twins function itself (a stage's work is checkpointed: a retry redoes a page).
    const twins = functions.get('twins')!;
    new Policy(this, 'TwinsSelfInvoke', {
      roles: [twins.role!],
      statements: [
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [twins.functionArn] }),
      ],
    });

    const apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const api = new HttpApi(this, 'Api', {
      apiName: 'twinthread',
      description: 'twinthread HTTP API',
      createDefaultStage: false,
    });
    const stage: HttpStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiAccessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        const fn = functions.get(name);
        if (!fn) throw new Error(`Route to unknown function ${name}`);
        // one API-wide invoke permission per function keeps its resource policy small as routes grow
        integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, fn, {
          scopePermissionToRoute: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of routes) {
      if (route.path === '/dev' || route.path.startsWith('/dev/')) {
        throw new Error(`${route.method} ${route.path}: /dev routes exist only in local mode`);
      }
      const [httpRoute] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
      });
      if (httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.auth
            ? `${route.method} ${route.path}: the ${route.function} function verifies the bearer token itself with jose (issuer, audience or client id, RS256/ES256, expiry) before any work and answers every failure as the same application/problem+json 401 as locally; an API Gateway JWT authorizer would refuse ES256 and access tokens and answer its own 401 body.`
            : `${route.method} ${route.path} (${route.summary}) is public by design: auth is false in the route table and it serves no tenant data.`,
        });
      }
    }

    // ---- change feed → EventBridge --------------------------------------------------------------
    // The table's stream carries every new event item (entity = event) through an EventBridge Pipe
    // to the bus: no code of ours in the path, the filter runs before anything is read or billed,
    // failed batches are retried, bisected, and finally parked in a dead-letter queue.
    const eventBus = new EventBus(this, 'EventBus', {
      eventBusName: EVENT_BUS_NAME,
      description: 'twinthread change feed: one event per change set, inspection, document version, grant',
    });
    // integrations that were down can replay what they missed
    eventBus.archive('EventArchive', {
      description: 'twinthread change feed, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(30),
    });
    const feedDeadLetters = new Queue(this, 'EventPipeDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(feedDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the change-feed pipe (a Pipe DeadLetterConfig, which cdk-nag does not see as a redrive policy).',
    });
    const pipeRole = new Role(this, 'EventPipeRole', {
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'twinthread change-feed pipe: reads the table stream, puts events on the bus',
    });
    pipeRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [table.tableStreamArn!],
      }),
    );
    pipeRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBus.eventBusArn] }),
    );
    pipeRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [feedDeadLetters.queueArn] }),
    );
    const eventImage = '$.dynamodb.NewImage';
    const eventPipe = new CfnPipe(this, 'EventPipe', {
      description: 'twinthread change feed: new event items of the table stream to the event bus',
      roleArn: pipeRole.roleArn,
      source: table.tableStreamArn!,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: feedDeadLetters.queueArn },
        },
        filterCriteria: {
          filters: [
            {
              pattern: JSON.stringify({
                eventName: ['INSERT'],
                dynamodb: { NewImage: { entity: { S: ['event'] } } },
              }),
            },
          ],
        },
      },
      target: eventBus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { source: EVENT_SOURCE, detailType: `${eventImage}.type.S` },
        // string fields in quotes, the image (an object) without: the detail is
        // {tenant, type, id, event} where event is the item in DynamoDB attribute-value JSON
        inputTemplate: `{"tenant": "<${eventImage}.tenant.S>", "type": "<${eventImage}.type.S>", "id": "<${eventImage}.id.S>", "event": <${eventImage}>}`,
      },
    });
    eventPipe.node.addDependency(pipeRole);

    new Monitoring(this, 'Monitoring', {
      functions,
      table,
      eventPipeDeadLetters: feedDeadLetters,
      api,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: eventBus.eventBusArn });
  }
}
