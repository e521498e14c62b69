import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Caller, must } from './api';
import { jsonLines } from './importer';

// biome-ignore lint/suspicious/noExplicitAny: export lines are checked field by field
type Json = any;

/** Exports a tenant (POST /v1/exports, polled until done) to `file`: the job and its lines. */
export async function exportTenant(caller: Caller, file: string) {
  const started = await must(caller('POST', '/v1/exports'), 202);
  let job: Json = started;
  for (let attempt = 0; job.status === 'running' && attempt < 400; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = await must(caller('GET', `/v1/exports/${started.id}`));
  }
  expect(job.status).toBe('done');
  const download = await fetch(job.downloadUrl);
  expect(download.status).toBe(200);
  const text = await download.text();
  writeFileSync(file, text);
  return { job, lines: jsonLines(file) };
}

const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;

/** An export's lines as compared: ids, the tenants named and the times of the export itself aside. */
export function comparableExport(lines: Json[], tenants: readonly string[]) {
  const text = JSON.stringify(
    lines.slice(1).map((line) => {
      const { exportedAt: _e, asOf: _a, knownAt: _k, ...rest } = line;
      // the copy says where it came from
      for (const part of [rest.record, rest.twin]) if (part) delete part.importedFrom;
      return rest;
    }),
  );
  return JSON.parse(
    tenants.reduce((replaced, tenant) => replaced.replaceAll(tenant, '<tenant>'), text).replace(ULID, '<id>'),
  );
}

/** The copies a tenant import made (its results file): source twin id → copy id. */
export const importedTwins = (file: string) =>
  new Map<string, string>(
    jsonLines(`${file}.results.jsonl`)
      .filter((result: Json) => result.sourceTwinId)
      .map((result: Json) => [result.sourceTwinId, result.twinId]),
  );

/** An answer of the copy with the copies' ids put back to the source's (`mapping`: source → copy). */
export const inSourceIds = (mapping: ReadonlyMap<string, string>, body: unknown) =>
  JSON.parse([...mapping].reduce((text, [from, to]) => text.replaceAll(to, from), JSON.stringify(body)));
