import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApi } from './api';

/** Runs the importer (`npm run import -- <args>`) as a user would; resolves with its exit code and what it printed. */
export const runImporter = (args: string[], token: string) =>
  new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      join('node_modules', '.bin', 'tsx'),
      ['cli/import.ts', ...args],
      { env: { ...process.env, TWINTHREAD_TOKEN: token }, timeout: 60_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });

/** The records of a JSON lines file (the importer's reports). */
// biome-ignore lint/suspicious/noExplicitAny: report lines are checked field by field
export const jsonLines = (path: string): any[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

/** Runs the importer against a test API as an admin of `tenant`. */
export const importAs = async (api: TestApi, tenant: string, args: string[]) =>
  runImporter(['--url', api.url, '--quiet', ...args], await api.issuer.token(tenant, ['admin']));
