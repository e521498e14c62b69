import { parseArgs } from 'node:util';

/**
 * `npm run migrate`: brings every twin written before current items existed (store layout 1) to layout 2
 * (its `CUR#`, `GONE#` and `LIFE#` items). Without options it opens npm start's `.data/` (stop npm start
 * first: the embedded DynamoDB holds the directory); with `--table` it runs against that DynamoDB
 * table with the usual AWS credentials and region (deployed: a one-off job). Twins also migrate on their
 * first request, so this only saves those first requests the extra read; running it twice is harmless.
 * It then builds the search index (docs/search.md) for twins, components, documents and inspections
 * written before it existed, or imported from an older export (puts only: idempotent).
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '.data' },
    table: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    /** Rebuild the search index of this tenant only (after a type marks an attribute searchable). */
    tenant: { type: 'string' },
  },
});

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const log = (line: string) => {
  if (!values.quiet) console.log(line);
};

let stop = async () => {};
if (values.table !== undefined) process.env.TABLE_NAME = values.table;
else {
  const { startLocalStack } = await import('../infra/local/stack');
  const stack = await startLocalStack({ dataDir: values.data, gateway: false });
  for (const [name, value] of Object.entries(stack.env)) process.env[name] = value;
  stop = () => stack.stop();
}
const { migrateAllTwins } = await import('../shared/store/twin-store');
const { rebuildSearchIndex } = await import('../shared/store/search-rebuild');
const { closeClients } = await import('../shared/store/clients');
try {
  const result = await migrateAllTwins(({ tenant, twinId, migrated }) =>
    log(`${migrated ? 'migrated' : 'changed meanwhile, migrates on its next request'}: ${tenant} ${twinId}`),
  );
  console.log(`${result.migrated} of ${result.scanned} twins in the old layout migrated`);
  const search = await rebuildSearchIndex(values.tenant === undefined ? {} : { tenant: values.tenant });
  console.log(`search index: ${search.entries} entries written for ${search.scanned} records`);
} finally {
  closeClients();
  await stop();
}
