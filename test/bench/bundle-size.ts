import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { FUNCTION_NAMES, type FunctionName } from '../../shared/routes';

/** Size goal of one minified function bundle (the .js, source map aside). */
export const BUNDLE_GOAL_BYTES = 500 * 1024;

export interface BundleSize {
  function: FunctionName;
  /** Minified bundle, as deployed. */
  bytes: number;
  /** Its source map, deployed next to it. */
  mapBytes: number;
}

/** Bundles every function exactly as the stack does (infra/bundling.ts), in memory. */
export const measureBundleSizes = async (): Promise<BundleSize[]> => {
  const outdir = join(tmpdir(), 'twinthread-bundle-size');
  const sizes: BundleSize[] = [];
  for (const name of FUNCTION_NAMES) {
    const result = await build({ ...esbuildOptions(name, outdir), write: false });
    const sizeOf = (suffix: string): number =>
      result.outputFiles.find((file) => file.path.endsWith(suffix))?.contents.byteLength ?? 0;
    sizes.push({ function: name, bytes: sizeOf('.js'), mapBytes: sizeOf('.js.map') });
  }
  return sizes;
};

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

const printBundleSizes = (sizes: readonly BundleSize[]): void => {
  const width = Math.max(...sizes.map((size) => size.function.length), 'function'.length);
  console.log(
    `${'function'.padEnd(width)}  ${'bundle'.padStart(10)}  ${'map'.padStart(10)}  goal ${kb(BUNDLE_GOAL_BYTES)}`,
  );
  for (const size of sizes) {
    const verdict = size.bytes <= BUNDLE_GOAL_BYTES ? 'within' : 'OVER';
    console.log(
      `${size.function.padEnd(width)}  ${kb(size.bytes).padStart(10)}  ${kb(size.mapBytes).padStart(10)}  ${verdict}`,
    );
  }
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printBundleSizes(await measureBundleSizes());
}
