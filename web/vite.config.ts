import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The console: a static single-page app, built into web/dist and served by the gateway at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
