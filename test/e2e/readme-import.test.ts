import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { jsonLines, runImporter } from '../support/importer';
import { newTenant } from '../support/tenants';

/** The README's bulk-import commands, run as pasted against the sample files they name. */

let api: TestApi;
let admin: Caller;
let token: string;
let directory: string;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('readme');
  admin = await api.as(tenant, ['admin']);
  token = await api.issuer.token(tenant, ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-readme-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** The `npm run import -- …` lines of the README, in their order. */
const readmeImports = () =>
  readFileSync('README.md', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('npm run import -- ') && !line.includes('--kind export'))
    .map((line) => line.slice('npm run import -- '.length).trim().split(/\s+/));

describe('the README bulk-import example', () => {
  it('names sample files that exist, and they import without a single error', async () => {
    // Prepare
    const commands = readmeImports();
    expect(commands.length).toBe(2);
    // Act: each command as pasted, with $API this server; the files copied, so the reports land aside
    for (const args of commands) {
      const file = args.at(-1)!;
      expect(file.startsWith('docs/examples/'), file).toBe(true);
      const copy = join(directory, basename(file));
      copyFileSync(file, copy);
      const run = await runImporter(
        [...args.slice(0, -1).map((arg) => (arg === '$API' ? api.url : arg)), '--quiet', copy],
        token,
      );
      // Assess
      expect(run.code, run.stderr).toBe(0);
      expect(jsonLines(`${copy}.errors.jsonl`)).toEqual([]);
      expect(jsonLines(`${copy}.results.jsonl`).length).toBeGreaterThan(0);
    }
    const twins = (await admin('GET', '/v1/twins?partNumber=A320-214')).body.items;
    expect(twins.map((twin: { serialNumber: string }) => twin.serialNumber).sort()).toEqual([
      'MSN-5101',
      'MSN-5102',
    ]);
    for (const twin of twins) {
      const read = await admin('GET', `/v1/twins/${twin.id}`);
      const sw = read.body.configuration[0].children[0].children[0];
      expect(sw.component.softwareVersion, twin.serialNumber).toBe('5.4.0');
    }
  });
});
