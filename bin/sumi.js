#!/usr/bin/env node
// Runs build/, the sources compiled by `npm ci` (scripts/build-node.mjs), while it is newer than
// every source: a command starts in half the time. Otherwise it runs the TypeScript sources
// through tsx, so that `npx sumi` works with no build step and never runs stale output.
import { fileURLToPath } from 'node:url';
import { buildIsFresh } from './freshness.js';

if (buildIsFresh(fileURLToPath(new URL('..', import.meta.url)))) {
  await import('../build/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
