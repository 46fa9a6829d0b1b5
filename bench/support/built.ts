/**
 * Sumi as the `sumi` command runs it: build/, the sources compiled (scripts/build-node.mjs, which
 * `npm ci` runs), compiled here first when a source is newer. The benches that time ingestion
 * take the store and the ingest from here, so their figures are what a user's command does: the
 * sources through tsx cost each read thread 0.2-0.3 s more CPU for tsx's loader (measured on
 * the ingest bench's 10,000 files into PostgreSQL, fresh processes). A process measured for its
 * peak RSS runs a plain script by node alone instead (big-ingest.mjs): tsx's loader thread is
 * memory the command does not have.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIsFresh, compileIfStale } from '../../bin/freshness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
if (!buildIsFresh(root)) console.error('compiling src/ into build/ to measure what `sumi` runs...');
compileIfStale(root, 'inherit');

/** A module of build/ (`ingest/paths.js`), typed as its source; loaded when asked, as a command loads what it uses. */
export async function built<T>(module: string): Promise<T> {
  return (await import(pathToFileURL(path.join(root, 'build', module)).href)) as T;
}
