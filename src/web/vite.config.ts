import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard: `npm run build:web` writes dist/web/, which `sumi serve` serves at /.
 * `npx vite --config src/web/vite.config.ts` runs it against a server on SUMI_API.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The ECharts chunk (about 570 kB, loaded only by pages with a chart) is one piece on purpose.
    chunkSizeWarningLimit: 1200,
  },
  server: { proxy: { '/api': process.env.SUMI_API ?? 'http://127.0.0.1:8080' } },
});
