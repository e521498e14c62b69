import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  CfnOutput,
  CfnParameter,
  DockerImage,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from './bundling';
import { consoleContentSecurityPolicy } from './console-headers';

/** Paths CloudFront sends to the API (same origin: no CORS for the console's calls). */
export const API_PATHS = ['/v1/*', '/health', '/openapi.json', '/docs', '/docs/*'];

/** The console's own paths (no file extension) are index.html, as the local gateway serves them. */
const SPA_FALLBACK = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

export interface TwinthreadConsoleStackProps extends StackProps {
  /** The HTTP API of the Twinthread stack. */
  readonly api: HttpApi;
  /** The document bucket of the Twinthread stack: the console uploads to it with presigned URLs. */
  readonly documentsBucket: IBucket;
}

/**
 * The web console deployed: its files in a private bucket behind CloudFront (origin access
 * control), the API behind the same distribution, and the sign-in settings as console-config.json.
 */
export class TwinthreadConsoleStack extends Stack {
  constructor(scope: Construct, id: string, props: TwinthreadConsoleStackProps) {
    super(scope, id, { description: 'twinthread web console: static files behind CloudFront', ...props });

    const issuer = new CfnParameter(this, 'AuthIssuer', {
      type: 'String',
      description: 'OIDC issuer the console signs in with (authorization code + PKCE), as for the API',
    });
    const clientId = new CfnParameter(this, 'AuthClientId', {
      type: 'String',
      description: "The console's public OIDC client id (the API's audience)",
    });
    const tenantClaim = new CfnParameter(this, 'AuthTenantClaim', { type: 'String', default: 'tenant' });
    const connectOrigins = new CfnParameter(this, 'AuthConnectOrigins', {
      type: 'String',
      default: '',
      description:
        "Origins the console's sign-in also calls besides the issuer, space separated (e.g. a Cognito domain's token endpoint https://<domain>.auth.<region>.amazoncognito.com)",
    });
    const rolesClaim = new CfnParameter(this, 'AuthRolesClaim', { type: 'String', default: 'roles' });

    const logs = new Bucket(this, 'ConsoleLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logs are written with ACLs
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the console bucket and distribution; logging it into itself would loop.',
    });
    const site = new Bucket(this, 'ConsoleFiles', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'files/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A strong reference: the API stack cannot lose its API while the console sends traffic to it.
    Validations.of(this).acknowledge({
      id: 'Annotation::@aws-cdk/core:crossStackReferencesDefaultStrong',
      reason:
        'The console stack depends on the API stack on purpose (strong reference protects the producer).',
    });
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    const apiBehavior: BehaviorOptions = {
      origin: new HttpOrigin(apiDomain),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      // the functions send both; this also covers what API Gateway answers itself (throttling, no route)
      responseHeadersPolicy: new ResponseHeadersPolicy(this, 'ApiHeaders', {
        comment: 'twinthread API: never stored, never sniffed',
        securityHeadersBehavior: { contentTypeOptions: { override: true } },
        customHeadersBehavior: {
          customHeaders: [{ header: 'Cache-Control', value: 'no-store', override: false }],
        },
      }),
    };
    const issuerOrigin = Fn.join('', ['https://', Fn.select(2, Fn.split('/', issuer.valueAsString))]);
    const consoleHeaders = new ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      comment: 'twinthread console: content security policy, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([
            `https://${props.documentsBucket.bucketRegionalDomainName}`,
            issuerOrigin,
            connectOrigins.valueAsString,
          ]),
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const distribution = new Distribution(this, 'Console', {
      comment: 'twinthread console and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: consoleHeaders,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'ConsolePaths', {
              code: FunctionCode.fromInline(SPA_FALLBACK),
              runtime: FunctionRuntime.JS_2_0,
              comment: 'console paths serve index.html',
            }),
          },
        ],
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((path) => [path, apiBehavior])),
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Maintenance crews, contractors and OEMs work worldwide; access is decided by sign-in and grants, not geography.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Every API call is authorized by the functions, which verify its token (the API stage throttles what reaches them); a WAF web ACL is an operator choice per deployment (attach one by ARN).',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The default CloudFront certificate is used until an operator adds a custom domain and certificate; the viewer protocol is HTTPS only.',
    });

    const deployment = new BucketDeployment(this, 'ConsoleDeployment', {
      destinationBucket: site,
      distribution,
      sources: [
        // Built at synth time with the project's own Vite (no Docker), like the functions' esbuild bundles.
        Source.asset(join(PROJECT_ROOT, 'web'), {
          bundling: {
            image: DockerImage.fromRegistry('node:22'),
            local: {
              tryBundle(outputDir: string) {
                execFileSync(
                  'npx',
                  ['vite', 'build', '--config', 'web/vite.config.ts', '--outDir', outputDir],
                  {
                    cwd: PROJECT_ROOT,
                    stdio: 'ignore',
                  },
                );
                return true;
              },
            },
          },
        }),
        Source.jsonData('console-config.json', {
          signIn: 'oidc',
          issuer: issuer.valueAsString,
          clientId: clientId.valueAsString,
          scope: 'openid',
          tenantClaim: tenantClaim.valueAsString,
          rolesClaim: rolesClaim.valueAsString,
        }),
      ],
    });
    // The deployment's own function and role are CDK's (a singleton custom resource): acknowledged one by one.
    const copy =
      'it copies the built console from the CDK asset bucket into the console bucket and deletes stale files';
    const acknowledgements: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's bucket-deployment function writes its logs with the AWS managed basic execution role.",
      ],
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
        (action): [string, string] => [
          `AwsSolutions-IAM5[Action::${action}]`,
          `CDK's bucket deployment: ${copy}.`,
        ],
      ),
      [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        "CDK's bucket deployment reads the console's asset from the bootstrap asset bucket.",
      ],
      [
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(site.node.defaultChild as CfnBucket)}.Arn>/*]`,
        `CDK's bucket deployment: ${copy}.`,
      ],
      ['AwsSolutions-L1', "The runtime of CDK's bucket-deployment function is chosen by aws-cdk-lib."],
      [
        'AwsSolutions-IAM5[Resource::*]',
        "CDK's bucket deployment invalidates the distribution's cache after a copy (CloudFront invalidation has no narrower resource here).",
      ],
    ];
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      for (const [id, reason] of acknowledgements) Validations.of(child).acknowledge({ id, reason });
    }
    deployment.node.addDependency(distribution);

    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${distribution.distributionDomainName}`,
      description: 'The web console (and the API under /v1 on the same origin)',
    });
  }
}
