import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling';
import { API_PATHS, TwinthreadConsoleStack } from '../../infra/console';
import { TwinthreadStack } from '../../infra/stack';

// The synth bundles every function (esbuild) and builds the console (Vite): 2 cores need the room.
const SYNTH_TIMEOUT = 180_000;
/** Managed cache policy "CachingDisabled". */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('the web console, deployed', () => {
  let outdir: string;
  let template: Template;
  let findings: string[];

  beforeAll(() => {
    mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
    outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'console-test-'));
    const app = new App({ outdir });
    const main = new TwinthreadStack(app, 'Twinthread');
    const stack = new TwinthreadConsoleStack(app, 'TwinthreadConsole', {
      api: main.node.findChild('Api') as HttpApi,
      documentsBucket: main.node.findChild('DocumentsBucket') as IBucket,
    });
    const checks = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(checks);
    app.synth();
    template = Template.fromStack(stack);
    findings = checks
      .validateScope(app)
      .violations.flatMap((violation) =>
        violation.violatingResources.map(
          (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
        ),
      );
  }, SYNTH_TIMEOUT);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('sends the console with a content security policy, no framing, no referrer; the API never stored, never sniffed', () => {
    const policies = Object.values(
      template.findResources('AWS::CloudFront::ResponseHeadersPolicy') as Resources,
    ).map(
      (resource) =>
        resource.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>,
    );
    const consolePolicy = policies.find((policy) => policy.SecurityHeadersConfig?.ContentSecurityPolicy);
    const apiPolicy = policies.find((policy) => policy.CustomHeadersConfig);
    const csp = JSON.stringify(consolePolicy?.SecurityHeadersConfig?.ContentSecurityPolicy ?? {});
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('RegionalDomainName');
    expect(consolePolicy?.SecurityHeadersConfig).toMatchObject({
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentTypeOptions: { Override: true },
    });
    expect(apiPolicy).toMatchObject({
      SecurityHeadersConfig: { ContentTypeOptions: { Override: true } },
      CustomHeadersConfig: { Items: [{ Header: 'Cache-Control', Value: 'no-store', Override: false }] },
    });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution') as Resources)[0]!
      .Properties.DistributionConfig as {
      DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown };
      CacheBehaviors: { ResponseHeadersPolicyId: unknown }[];
    };
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
    expect(config.CacheBehaviors.every((behavior) => behavior.ResponseHeadersPolicyId)).toBe(true);
  });

  it('serves the files from a private bucket through origin access control, console paths as index.html', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'files/' },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    const functions = template.findResources('AWS::CloudFront::Function') as Resources;
    const code = String(Object.values(functions)[0]?.Properties.FunctionCode);
    expect(code).toContain("request.uri = '/index.html'");
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  it('puts the API on the same origin: its paths go uncached, with every viewer header, to the HTTP API', () => {
    const distribution = Object.values(
      template.findResources('AWS::CloudFront::Distribution') as Resources,
    )[0]!;
    const config = distribution.Properties.DistributionConfig as {
      CacheBehaviors: {
        PathPattern: string;
        CachePolicyId: string;
        AllowedMethods: string[];
        TargetOriginId: string;
      }[];
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }[];
    };
    expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern).sort()).toEqual(
      [...API_PATHS].sort(),
    );
    for (const behavior of config.CacheBehaviors) {
      expect(behavior.CachePolicyId).toBe(CACHING_DISABLED);
      expect(behavior.AllowedMethods).toContain('DELETE');
      const origin = config.Origins.find((candidate) => candidate.Id === behavior.TargetOriginId);
      expect(origin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
      expect(JSON.stringify(origin?.DomainName)).toContain('ApiEndpoint');
    }
  });

  it('deploys the console built from web/ and its sign-in settings from the stack parameters', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment') as Resources;
    const deployment = JSON.stringify(Object.values(deployments)[0]);
    expect(deployment).toContain('"Ref":"AuthIssuer"');
    expect(deployment).toContain('"Ref":"AuthClientId"');
    const built = readdirSync(outdir).filter((name) => existsSync(join(outdir, name, 'index.html')));
    expect(built).toHaveLength(1);
    expect(readFileSync(join(outdir, built[0]!, 'index.html'), 'utf8')).toContain('<script type="module"');
    expect(readdirSync(join(outdir, built[0]!, 'assets')).some((name) => name.endsWith('.js'))).toBe(true);
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(findings).toEqual([]);
  });
});
