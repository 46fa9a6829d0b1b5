import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsFresh, compileIfStale } from '../../bin/freshness.js';
import { aggregateGz } from '../ingest/helpers/reports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bin/freshness.js: whether build/ holds what src/ says now', () => {
  let at: string;
  const put = (file: string, content = '', secondsAgo = 0) => {
    const full = path.join(at, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    const time = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(full, time, time);
  };
  /** Sets a file's or folder's time, seconds ago. */
  const age = (file: string, secondsAgo: number) => {
    const time = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(path.join(at, file), time, time);
  };

  beforeAll(() => {
    at = mkdtempSync(path.join(tmpdir(), 'sumi-fresh-'));
  });
  afterAll(() => rmSync(at, { recursive: true, force: true }));

  it('is fresh while no source, nor a folder of them, is newer than the stamp; src/web/ is not a source', () => {
    expect(buildIsFresh(at)).toBe(false); // nothing built
    put('tsconfig.json', '{}', 100);
    put('tsconfig.build.json', '{}', 100);
    put('src/cli/main.ts', '', 100);
    put('src/web/App.tsx', '', 100);
    for (const folder of ['src/cli', 'src/web', 'src']) age(folder, 100);
    put('build/.built', '', 50);
    expect(buildIsFresh(at)).toBe(true);
    // The dashboard is built apart (dist/web/).
    put('src/web/App.tsx', 'changed', 10);
    age('src/web', 10);
    expect(buildIsFresh(at)).toBe(true);
    // A source changed.
    put('src/cli/main.ts', 'changed', 10);
    expect(buildIsFresh(at)).toBe(false);
    put('build/.built', '', 5);
    expect(buildIsFresh(at)).toBe(true);
    // A source removed: only its folder's time says so.
    rmSync(path.join(at, 'src/cli/main.ts'));
    expect(buildIsFresh(at)).toBe(false);
    put('build/.built', '', 0);
    put('tsconfig.build.json', '{"changed": true}', -5);
    expect(buildIsFresh(at)).toBe(false);
  });
});

describe('build/: the sources compiled (scripts/build-node.mjs, run by npm ci)', () => {
  let work: string;
  beforeAll(() => {
    // CI's `npm ci` built it; after a change to src/ it is built again here (some 20 s).
    compileIfStale(root);
    work = mkdtempSync(path.join(tmpdir(), 'sumi-build-'));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const compiled = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(root, 'build/cli/main.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, SUMI_LANG: 'en' },
    });

  it('is fresh once built, and bin/sumi.js then runs it', () => {
    expect(buildIsFresh(root)).toBe(true);
    expect(statSync(path.join(root, 'build/.built')).isFile()).toBe(true);
    const version = execFileSync(process.execPath, [path.join(root, 'bin/sumi.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(compiled('--version').trim());
  });

  it('ingests on read threads (their entries compiled too) into SQLite with its checkpoint thread', () => {
    const inputs = path.join(work, 'in');
    mkdirSync(inputs);
    for (let i = 0; i < 70; i++)
      writeFileSync(path.join(inputs, `${i}.xml.gz`), aggregateGz({ reportId: `b${i}` }));
    const answer = JSON.parse(compiled('ingest', inputs, '--db', path.join(work, 'sumi.db'), '--json'));
    expect(answer).toMatchObject({ reports: 70, failed: [] });
  });

  it('finds the files it reads beside its modules where the sources find them', async () => {
    const app = await import(pathToFileURL(path.join(root, 'build/server/app.js')).href);
    expect(app.DEFAULT_WEB_ROOT).toBe(path.join(root, 'dist/web/'));
    const demo = await import(pathToFileURL(path.join(root, 'build/demo/index.js')).href);
    expect(existsSync(demo.DEMO_ZONE_URL)).toBe(true);
  });
});
