import { build } from 'vite';

/** Builds the console from its sources once per run, so the tests never see a stale web/dist. */
export default async function setup() {
  await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
}
