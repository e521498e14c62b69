import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWER_FILES } from '../../functions/docs/assets';
import { PROJECT_ROOT, VIEWER_FOLDER } from '../../infra/bundling';
import { lambdaContext } from '../../infra/local/functions';
import { TwinthreadStack } from '../../infra/stack';
import { routeKey, routesOf } from '../../shared/routes';
import { SYNTH_TIMEOUT } from '../support/template';

// Building the stack bundles every function with esbuild; 2-core machines need the room.

type Resources = Record<string, { Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** GET of a docs route, as API Gateway would hand it to the function. */
const docsEvent = (path: string, asset?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: asset ? 'GET /docs/{asset}' : 'GET /docs',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    ...(asset ? { pathParameters: { asset } } : {}),
    requestContext: { requestId: 'infra-test', http: { method: 'GET', path } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

describe('the docs function, deployed', () => {
  // inside the project, so that the bundle's external @aws-sdk/* resolve as the runtime's would
  let outdir: string;
  let template: Template;
  let assetFolders: Map<string, string>;

  beforeAll(() => {
    // Prepare
    mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
    outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'docs-test-'));
    // the bundles are CommonJS, as in the Lambda runtime's folder (the project's package.json says module)
    writeFileSync(join(outdir, 'package.json'), '{"type":"commonjs"}');
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new TwinthreadStack(app, 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    app.synth();
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    assetFolders = new Map(
      Object.values(functions)
        .filter((fn) => String(fn.Properties.Description).startsWith('twinthread '))
        .map((fn) => [
          String(fn.Properties.Description).replace('twinthread ', ''),
          join(outdir, fn.Metadata?.['aws:asset:path'] ?? 'missing'),
        ]),
    );
  }, SYNTH_TIMEOUT);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('exists, behind the public docs routes', () => {
    // Assess
    expect(assetFolders.has('docs')).toBe(true);
    expect(routesOf('docs').map(routeKey).sort()).toEqual(['GET /docs', 'GET /docs/{asset}']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /docs',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /docs/{asset}',
      AuthorizationType: 'NONE',
    });
  });

  it('ships the viewer files next to its bundle, as the package has them', () => {
    // Prepare
    const folder = assetFolders.get('docs')!;
    // Assess
    expect(existsSync(join(folder, 'index.js'))).toBe(true);
    for (const file of Object.keys(VIEWER_FILES)) {
      expect(readFileSync(join(folder, file)).equals(readFileSync(join(VIEWER_FOLDER, file))), file).toBe(
        true,
      );
    }
  });

  it('leaves the bundles of the other functions as they were: no viewer files there', () => {
    // Prepare
    const others = [...assetFolders].filter(([name]) => name !== 'docs');
    // Assess
    expect(others.length).toBeGreaterThan(0);
    for (const [name, folder] of others) {
      const files = readdirSync(folder);
      expect(files, name).toContain('index.js');
      for (const file of Object.keys(VIEWER_FILES)) expect(files, name).not.toContain(file);
    }
  });

  it('serves the page and the viewer from the bundle folder, not from node_modules', async () => {
    // Prepare
    const folder = assetFolders.get('docs')!;
    // a mark only the copy in the bundle folder has
    appendFileSync(join(folder, 'swagger-ui.css'), '\n/* from the bundle folder */\n');
    const { handler } = createRequire(join(folder, 'index.js'))(join(folder, 'index.js')) as {
      handler: Handler;
    };
    // Act
    const page = await handler(docsEvent('/docs'), lambdaContext('docs', 'infra-page'));
    const css = await handler(
      docsEvent('/docs/swagger-ui.css', 'swagger-ui.css'),
      lambdaContext('docs', 'infra-css'),
    );
    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/docs/swagger-ui-bundle.js');
    expect(css.statusCode).toBe(200);
    expect(css.headers?.['content-type']).toMatch(/^text\/css/);
    expect(css.isBase64Encoded).toBe(true);
    expect(Buffer.from(css.body ?? '', 'base64').toString()).toMatch(/from the bundle folder \*\/\n$/);
  });
});
