/**
 * A directory the process may not list (another user's). The tests run as root in CI, which may
 * list anything, so the refusal is the file system's answer stood in for by a mock of readdir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ingestPaths } from '../../src/ingest/paths.ts';
import { openStore } from '../../src/store/open.ts';
import { aggregateXml } from './helpers/reports.ts';

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const readdir = (where: unknown, ...rest: unknown[]) =>
    String(where).endsWith('locked')
      ? Promise.reject(
          Object.assign(new Error(`EACCES: permission denied, scandir '${where}'`), { code: 'EACCES' }),
        )
      : (fs.readdir as (...args: unknown[]) => unknown)(where, ...rest);
  return { ...fs, default: { ...fs, readdir }, readdir };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-unlisted-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('lists a directory it may not list as a failed input, and reads the rest of the tree', async () => {
  await mkdir(path.join(dir, 'in', 'locked'), { recursive: true });
  writeFileSync(path.join(dir, 'in', 'locked', 'hidden.xml'), aggregateXml({ reportId: 'hidden' }));
  writeFileSync(path.join(dir, 'in', 'z.xml'), aggregateXml({ reportId: 'after' }));
  const store = await openStore(path.join(dir, 'sumi.db'));
  try {
    const totals = await ingestPaths([path.join(dir, 'in')], { store });
    expect(totals.reports).toBe(1);
    expect(totals.failed).toHaveLength(1);
    expect(totals.failed[0]).toMatchObject({ source: path.join(dir, 'in', 'locked') });
    expect(totals.failed[0]!.error).toMatchObject({ code: 'input-unreadable', args: { detail: 'EACCES' } });
  } finally {
    await store.close();
  }
});
