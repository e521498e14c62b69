import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: the console in Debian's Chromium (playwright-core) against the local stack. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/support/build.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // One Chromium and one local stack at a time: the machine has 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
    // a poll waits for a state under load (2 busy cores), never for a fixed time: 1 s (the default) is too short
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 180_000,
  },
});
