import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { VIEWER_FILES } from '../functions/docs/assets';
import type { FunctionName } from '../shared/routes';

/** Repository root (holds package.json, package-lock.json and functions/). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lock file NodejsFunction hashes and resolves the project root from. */
export const DEPS_LOCK_FILE = join(PROJECT_ROOT, 'package-lock.json');

/** Entry file of a function: `functions/<name>/handler.ts`. */
export const functionEntry = (name: FunctionName): string =>
  join(PROJECT_ROOT, 'functions', name, 'handler.ts');

/**
 * How every function is bundled, in one place, for the CDK stack and the bundle-size bench.
 * CommonJS output: dependencies that are ESM-only are converted by esbuild, and the handlers use
 * no `import.meta`; the SDK v3 stays external because the nodejs22.x runtime ships it.
 */
export const FUNCTION_BUNDLE = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourceMap: true,
  // the map only needs to translate stack traces, not to carry the sources
  sourcesContent: false,
  // prefer the ESM builds of dependencies: they tree-shake better
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
} as const;

/** `NodejsFunction` bundling: local esbuild (it is a devDependency), never Docker. */
export const lambdaBundling: BundlingOptions = {
  target: FUNCTION_BUNDLE.target,
  format: OutputFormat.CJS,
  minify: FUNCTION_BUNDLE.minify,
  sourceMap: FUNCTION_BUNDLE.sourceMap,
  sourcesContent: FUNCTION_BUNDLE.sourcesContent,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  externalModules: [...FUNCTION_BUNDLE.externalModules],
  forceDockerBundling: false,
};

/** The folder of swagger-ui-dist, whose files the docs function serves. */
export const VIEWER_FOLDER = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * The docs function reads the viewer's files at run time from the folder of its own bundle
 * (swagger-ui-dist's `getAbsoluteFSPath()` is `__dirname` there): they are copied next to it.
 */
export const docsBundling: BundlingOptions = {
  ...lambdaBundling,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      Object.keys(VIEWER_FILES).map((file) => `cp "${join(VIEWER_FOLDER, file)}" "${join(outputDir, file)}"`),
  },
};

/** How a function is bundled: every one alike, the docs function with the viewer's files. */
export const bundlingOf = (name: FunctionName): BundlingOptions =>
  name === 'docs' ? docsBundling : lambdaBundling;

/** The same bundle through esbuild's JS API; `outdir` only names the outputs when `write` is false. */
export const esbuildOptions = (name: FunctionName, outdir: string): BuildOptions => ({
  entryPoints: [functionEntry(name)],
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  platform: 'node',
  target: FUNCTION_BUNDLE.target,
  format: FUNCTION_BUNDLE.format,
  minify: FUNCTION_BUNDLE.minify,
  sourcemap: FUNCTION_BUNDLE.sourceMap,
  sourcesContent: FUNCTION_BUNDLE.sourcesContent,
  mainFields: [...FUNCTION_BUNDLE.mainFields],
  external: [...FUNCTION_BUNDLE.externalModules],
  outfile: join(outdir, name, 'index.js'),
  logLevel: 'warning',
});
