import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { messagesFor, reportMail } from '../ingest/helpers/reports.ts';
import { spawnSumi, sumi } from '../ingest/helpers/sumi.ts';
import { zip } from '../reports/fixtures/build.ts';

let dir: string;
let db: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-cli-quarantine-'));
  db = path.join(dir, 'sumi.db');
  await mkdir(path.join(dir, 'in'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BAD = '<feedback><oops></feedback>';

/**
 * A store holding two quarantined inputs: one that cannot be read, and a report mail an older
 * version failed to read (quarantined by hand here, with the reason it would have given).
 */
async function seeded(): Promise<{ bad: number; mail: number; mailBytes: Buffer }> {
  await writeFile(path.join(dir, 'in', 'bad.xml'), BAD);
  expect((await sumi(['ingest', path.join(dir, 'in'), '--db', db])).code).toBe(2);
  const mailBytes = Buffer.from(reportMail({ reportId: 'fixed-since', records: 3 }));
  const store = await openStore(db);
  try {
    const [bad] = await store.listQuarantine();
    const old = await store.quarantine(
      mailBytes,
      { description: '/mail/old.eml' },
      { code: 'xml-not-well-formed', message: '/mail/old.eml: an older parser gave up' },
    );
    return { bad: bad!.id, mail: old.id, mailBytes };
  } finally {
    await store.close();
  }
}

describe('sumi quarantine', () => {
  it('says when the quarantine is empty (en and ja)', async () => {
    await (await openStore(db)).close();
    expect((await sumi(['quarantine', 'list', '--db', db])).stdout).toBe('The quarantine is empty.\n');
    expect((await sumi(['quarantine', 'list', '--db', db, '--lang', 'ja'])).stdout).toBe(
      '隔離領域は空です。\n',
    );
    expect(JSON.parse((await sumi(['quarantine', 'list', '--db', db, '--json'])).stdout)).toEqual({
      quarantine: [],
    });
  });

  it('lists what is kept, the latest first, with where it came from and why', async () => {
    const { bad, mail } = await seeded();
    const listed = JSON.parse((await sumi(['quarantine', 'list', '--db', db, '--json'])).stdout);
    expect(listed.quarantine.map((e: { id: number }) => e.id).sort()).toEqual([bad, mail].sort());
    expect(listed.quarantine.find((e: { id: number }) => e.id === bad)).toMatchObject({
      source: path.join(dir, 'in', 'bad.xml'),
      errorCode: 'xml-not-well-formed',
      times: 1,
      rawSize: BAD.length,
    });
    const en = await sumi(['quarantine', 'list', '--db', db]);
    // The reason is not prefixed with the source again (the column beside it).
    expect(en.stdout).toMatch(/bad\.xml\s+xml-not-well-formed: The XML is not well-formed at line 1/);
    const text = await sumi(['quarantine', 'list', '--db', db, '--limit', '1', '--lang', 'ja']);
    expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+最終受信\s+回数\s+バイト\s+入力元\s+理由$/);
    expect(text.stdout.trim().split('\n')).toHaveLength(2);
    // The reason in the reader's language, said again from its codes and values; an entry kept
    // without them (an older version's) keeps its English words.
    const ja = (await sumi(['quarantine', 'list', '--db', db, '--lang', 'ja'])).stdout;
    expect(ja).toMatch(/bad\.xml\s+xml-not-well-formed: XML の 1 行 \d+ 桁目が整形式ではありません/);
    expect(ja).toMatch(/old\.eml\s+xml-not-well-formed: an older parser gave up/);
  });

  it('names every input the same bytes came from, not the last one only', async () => {
    for (const name of ['a.xml', 'b.xml', 'c.xml']) await writeFile(path.join(dir, 'in', name), BAD);
    expect((await sumi(['ingest', path.join(dir, 'in'), '--db', db])).code).toBe(2);
    const [entry] = JSON.parse((await sumi(['quarantine', 'list', '--db', db, '--json'])).stdout).quarantine;
    expect(entry).toMatchObject({ times: 3, sourceCount: 3 });
    expect([...entry.sources].sort()).toEqual(
      ['a.xml', 'b.xml', 'c.xml'].map((f) => path.join(dir, 'in', f)),
    );
    expect(entry.sources[0]).toBe(entry.source);
    const en = (await sumi(['quarantine', 'list', '--db', db])).stdout;
    expect(en).toContain(`${entry.source} (and 2 other places: --json lists them)`);
    const ja = (await sumi(['quarantine', 'list', '--db', db, '--lang', 'ja'])).stdout;
    expect(ja).toContain(`${entry.source}（ほか 2 か所。--json で一覧できます）`);
  });

  it("says where in an input its failure was in the reader's words", async () => {
    await writeFile(path.join(dir, 'in', 'r.zip'), zip([{ name: 'a.xml', data: '' }]));
    expect((await sumi(['ingest', path.join(dir, 'in'), '--db', db])).code).toBe(2);
    const en = (await sumi(['quarantine', 'list', '--db', db])).stdout;
    expect(en).toContain(
      'empty-input: ' + path.join(dir, 'in', 'r.zip') + ' > entry a.xml: The input is empty.',
    );
    const ja = (await sumi(['quarantine', 'list', '--db', db, '--lang', 'ja'])).stdout;
    expect(ja).toContain('empty-input: ' + path.join(dir, 'in', 'r.zip') + ' > zip 内 a.xml: 入力が空です。');
    const ingested = await sumi(['--lang', 'ja', 'ingest', path.join(dir, 'in'), '--db', db]);
    expect(ingested.stdout).toContain(' > zip 内 a.xml: 入力が空です。');
  });

  it('writes one entry out as it was received', async () => {
    const { mail, mailBytes } = await seeded();
    const child = spawnSumi(['quarantine', 'raw', String(mail), '--db', db]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).equals(mailBytes)).toBe(true);
    const missing = await sumi(['quarantine', 'raw', '987654', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no entry 987654 in the quarantine');
  });

  it('refuses a retry naming an id that is no entry, retrying none of those named', async () => {
    const { mail } = await seeded();
    const retry = await sumi(['quarantine', 'retry', String(mail), '987654', '987655', '--db', db]);
    expect(retry.code).toBe(2);
    expect(retry.stderr).toContain('no such entry in the quarantine: 987654, 987655');
    const ja = await sumi(['--lang', 'ja', 'quarantine', 'retry', '987654', '--db', db]);
    expect(ja.code).toBe(2);
    expect(ja.stderr).toContain('隔離領域にそのエントリはありません: 987654');
    const list = await sumi(['quarantine', 'list', String(mail), '--db', db, '--json']);
    expect(JSON.parse(list.stdout).quarantine).toHaveLength(1);
  });

  it('reads every entry again: what now gives its reports is stored and leaves; the rest stays', async () => {
    const { bad } = await seeded();
    const retry = await sumi(['quarantine', 'retry', '--db', db, '--json']);
    expect(retry.code).toBe(2);
    expect(JSON.parse(retry.stdout)).toEqual({
      retried: 2,
      released: 1,
      reports: 1,
      duplicates: 0,
      records: 3,
      messages: messagesFor(3),
      failure_reports: 0,
      tls_reports: 0,
      failed: [
        {
          source: path.join(dir, 'in', 'bad.xml'),
          code: 'xml-not-well-formed',
          error: expect.stringContaining('The XML is not well-formed'),
        },
      ],
    });
    const left = JSON.parse((await sumi(['quarantine', 'list', '--db', db, '--json'])).stdout).quarantine;
    // Read again, not received again: still seen once.
    expect(left.map((e: { id: number; times: number }) => [e.id, e.times])).toEqual([[bad, 1]]);
    const store = await openStore(db);
    try {
      const [report] = await store.listReports();
      expect(report).toMatchObject({ reportId: 'fixed-since', recordCount: 3 });
      expect(report!.source).toMatch(/^\/mail\/old\.eml > attachment/);
    } finally {
      await store.close();
    }
    // Nothing left that can be read: a second retry stores nothing, in words too.
    const again = await sumi(['quarantine', 'retry', '--db', db]);
    expect(again.code).toBe(2);
    expect(again.stdout).toContain('0 of 1 quarantined inputs gave their reports and left the quarantine.');
  });

  it('reads again only the entries named', async () => {
    const { bad, mail } = await seeded();
    const retry = await sumi(['quarantine', 'retry', String(mail), '--db', db, '--lang', 'ja']);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(
      '隔離された入力 1 件のうち 1 件からレポートを読み取り、隔離領域から外しました。',
    );
    const left = JSON.parse((await sumi(['quarantine', 'list', '--db', db, '--json'])).stdout).quarantine;
    expect(left.map((e: { id: number; times: number }) => [e.id, e.times])).toEqual([[bad, 1]]);
  });

  it('exits 2 on bad usage', async () => {
    for (const [args, message] of [
      [['quarantine', 'purge'], 'unknown action "purge"'],
      [['quarantine', 'raw'], 'give the id of one entry'],
      [['quarantine', 'retry', 'x1'], 'not an entry id: "x1"'],
      [['quarantine', 'list', '--limit', '0'], '--limit'],
    ] as const) {
      const result = await sumi([...args, '--db', db]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
