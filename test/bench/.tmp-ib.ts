process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const { startLocalStack } = await import('../../infra/local/stack');
const { callsSince, formatCalls, snapshot } = await import('./calls');
const { benchInstalledBase, INSTALLED_BASE_BENCH, INSTALLED_BASE_BENCH_QUICK } = await import(
  './installed-base'
);
const stack = await startLocalStack({ memory: true, port: 0 });
const ctx = { url: stack.url!, authorization: '', tenant: 'x', snapshot, callsSince, formatCalls };
const r = await benchInstalledBase(
  ctx,
  process.argv.includes('--full') ? INSTALLED_BASE_BENCH : INSTALLED_BASE_BENCH_QUICK,
);
console.log(r.rows);
await stack.stop();
process.exit(0);
