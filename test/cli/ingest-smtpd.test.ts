import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { createTestPki } from '../helpers/tls.ts';
import { reportMail } from '../ingest/helpers/reports.ts';
import { smtpClient } from '../ingest/helpers/smtp-client.ts';
import { childOutput, spawnSumi, sumi } from '../ingest/helpers/sumi.ts';
import { newerMigration, runAside } from '../store/helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-cli-smtpd-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** sumi smtpd's arguments: any free port on the loopback, dmarc@example.jp accepted, `db` the store. */
const smtpd = (db: string) => [
  'smtpd',
  '--listen',
  '127.0.0.1:0',
  '--accept',
  'dmarc@example.jp',
  '--db',
  db,
];

/**
 * sumi smtpd in Japanese on `db`, once it listens (killed if it never does): the child, its
 * output, and `send`, which mails it a one-record report.
 */
async function listeningInJapanese(db: string) {
  const child = spawnSumi(['--lang', 'ja', ...smtpd(db)]);
  const out = childOutput(child);
  try {
    await vi.waitFor(() => expect(out.stderr).toMatch(/127\.0\.0\.1:\d+ で/), { timeout: 15_000 });
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const port = Number(/127\.0\.0\.1:(\d+) で/.exec(out.stderr)![1]);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const send = (reportId: string) =>
    transport.sendMail({
      envelope: { from: 'noreply@receiver.example', to: ['dmarc@example.jp'] },
      raw: reportMail({ reportId, records: 1 }),
    });
  return { child, out, send };
}

describe('sumi smtpd', () => {
  it('receives report mail and stores it (child process, stopped by SIGTERM)', async () => {
    const db = path.join(dir, 'sumi.db');
    const child = spawnSumi(smtpd(db));
    let stderr = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const found = /on (127\.0\.0\.1:\d+)/.exec(stderr);
        if (found) resolve(found[1]!);
      });
      child.on('exit', () => reject(new Error(`smtpd exited: ${stderr}`)));
    });
    const port = Number(address.split(':')[1]);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const send = (records: number) =>
      transport.sendMail({
        envelope: { from: 'noreply@receiver.example', to: ['dmarc@example.jp'] },
        raw: reportMail({ reportId: 'smtpd-cli', records }),
      });
    expect((await send(2)).response).toMatch(/^250 /);
    // The same report again with more in it: a duplicate counted in place of the first, which is
    // kept as a copy, and said so.
    expect((await send(3)).response).toMatch(/^250 /);
    await vi.waitFor(() => expect(stderr).toMatch(/1 of these was fuller than the copy stored before/), {
      timeout: 10_000,
    });
    expect(stderr).toMatch(/1 of them had the identity of a stored report/);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/1 report stored, 0 duplicates/);
    expect(stderr).toMatch(/0 reports stored, 1 duplicate\b/);
    const store = await openStore(db);
    expect((await store.countReports()).records).toBe(3);
    await store.close();
  }, 60_000);

  it('stops at once on SIGTERM with an idle client connected, and says so', async () => {
    const child = spawnSumi(smtpd(path.join(dir, 'sumi.db')));
    const out = childOutput(child);
    await vi.waitFor(() => expect(out.stderr).toMatch(/on 127\.0\.0\.1:\d+/), { timeout: 15_000 });
    const port = Number(/on 127\.0\.0\.1:(\d+)/.exec(out.stderr)![1]);
    // An MTA keeping its connection for the next mail.
    const client = await smtpClient(port);
    await client.say('EHLO mta.example');
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await client.reply()).toMatch(/^421 /);
    expect(await out.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(out.stderr).toMatch(/\nstopping: idle connections closed; mail being received is stored first\n$/);
  });

  it('answers other sessions while a mail waits for the SQLite store another process holds locked, and stores the mail once it is free', async () => {
    const db = path.join(dir, 'sumi.db');
    const child = spawnSumi(smtpd(db));
    const out = childOutput(child);
    await vi.waitFor(() => expect(out.stderr).toMatch(/on 127\.0\.0\.1:\d+/), { timeout: 15_000 });
    const port = Number(/on 127\.0\.0\.1:(\d+)/.exec(out.stderr)![1]);
    const other = await smtpClient(port);
    await other.say('EHLO other.example');
    // Another process writing to the store (a `sumi ingest`): it holds the write lock.
    const holder = new SqliteDatabase(db);
    holder.exec('begin immediate');
    let stored: string | undefined;
    try {
      const reporter = await smtpClient(port);
      await reporter.say('EHLO reporter.example');
      await reporter.say('MAIL FROM:<noreply@receiver.example>');
      await reporter.say('RCPT TO:<dmarc@example.jp>');
      expect(await reporter.say('DATA')).toMatch(/^354 /);
      const answered = reporter.say(`${reportMail({ reportId: 'smtpd-locked' })}\r\n.`).then((reply) => {
        stored = reply;
      });
      // Its write is waiting for the lock by now.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = Date.now();
      // Before: the smtpd's event loop stood still in SQLite's busy handler until the lock was free.
      const noop = await Promise.race([
        other.say('NOOP'),
        new Promise<string>((resolve) => setTimeout(() => resolve('unanswered'), 5_000)),
      ]);
      expect(noop).toMatch(/^250 /);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(stored).toBeUndefined();
      holder.exec('commit');
      await answered;
    } finally {
      if (holder.inTransaction) holder.exec('rollback');
      holder.close();
    }
    expect(stored).toBe('250 stored 1 report');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const store = await openStore(db);
    expect((await store.listReports()).map((report) => report.reportId)).toEqual(['smtpd-locked']);
    await store.close();
  }, 30_000);

  it('stops once a mail finds the store migrated by a newer Sumi: the mail answered 451, the refusal said in one line (ja), exit 1', async () => {
    const db = path.join(dir, 'sumi.db');
    const { child, out, send } = await listeningInJapanese(db);
    try {
      await runAside(db, newerMigration('9999-newer'));
      // The sender keeps the mail, for the upgraded Sumi.
      await expect(send('smtpd-outdated')).rejects.toMatchObject({ responseCode: 451 });
      // Before: it went on receiving, and stored the report in the older shape.
      expect(await out.exited).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(out.stderr.split('\n').at(-2)).toBe(
      `エラー: SQLite のストア ${db} は新しい Sumi で移行されています。この Sumi が知らないマイグレーション 9999-newer が適用されています。このストアを使うには Sumi をアップグレードしてください（この Sumi では、行を古い形で読み書きしてしまいます）`,
    );
  }, 60_000);

  it("says in the user's language that a mail it could not store was answered 451, and goes on receiving", async () => {
    const db = path.join(dir, 'sumi.db');
    await (await openStore(db)).close();
    // A store failure that is no access failure (no StoreAccessError): here a trigger's, as a
    // PostgreSQL role refused INSERT would be.
    const other = new SqliteDatabase(db);
    other.exec(
      "create trigger no_reports before insert on reports begin select raise(abort, 'reports are refused here'); end",
    );
    other.close();
    const { child, out, send } = await listeningInJapanese(db);
    try {
      await expect(send('smtpd-refused')).rejects.toMatchObject({ responseCode: 451 });
      // Before: only the engine's words after the source, nothing of what became of the mail.
      await vi.waitFor(
        () =>
          expect(out.stderr).toMatch(
            /^smtp:\/\/127\.0\.0\.1\/\S+ from <noreply@receiver\.example>: 保存できませんでした。451 で応答したので、送信側が保持して再送します: reports are refused here$/m,
          ),
        { timeout: 10_000 },
      );
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await out.exited).toBe(0);
  }, 60_000);

  it('exits 2 on bad flags', async () => {
    const db = path.join(dir, 'sumi.db');
    expect((await sumi(['smtpd', '--accept', 'not-an-address', '--db', db])).code).toBe(2);
    expect((await sumi(['smtpd', '--db', db])).code).toBe(2);
    expect((await sumi(['smtpd', '--accept', 'a@b.jp', '--listen', 'nowhere', '--db', db])).code).toBe(2);
    const pair = await sumi(['smtpd', '--accept', 'a@b.jp', '--tls-cert', 'c.pem', '--db', db]);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toMatch(/--tls-cert and --tls-key go together/);
  });

  it('says which --tls-cert or --tls-key file is missing or no certificate or key, exit 2 (en/ja)', async () => {
    const db = path.join(dir, 'sumi.db');
    const pki = createTestPki();
    try {
      const file = async (name: string, text: string) => {
        await writeFile(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const junk = await file('junk.pem', 'junk\n');
      const { cert, key } = pki.issue(['localhost']);
      const certFile = await file('cert.pem', cert);
      const keyFile = await file('key.pem', key);
      const otherKey = await file('other.pem', pki.issue(['localhost']).key);
      const missing = path.join(dir, 'missing.pem');
      const smtpd = (tlsCert: string, tlsKey: string, lang = 'en') =>
        sumi([
          '--lang',
          lang,
          'smtpd',
          '--accept',
          'a@b.jp',
          '--db',
          db,
          '--tls-cert',
          tlsCert,
          '--tls-key',
          tlsKey,
        ]);
      const cases: [string, string, string, string][] = [
        [
          junk,
          junk,
          `--tls-cert ${junk}: not a certificate in PEM`,
          `--tls-cert ${junk}: PEM 形式の証明書ではありません`,
        ],
        [
          certFile,
          junk,
          `--tls-key ${junk}: not a private key in PEM without a passphrase`,
          `--tls-key ${junk}: パスフレーズのない PEM 形式の秘密鍵ではありません`,
        ],
        [
          certFile,
          otherKey,
          `--tls-key ${otherKey}: not the private key of the certificate in ${certFile}`,
          `--tls-key ${otherKey}: ${certFile} の証明書の秘密鍵ではありません`,
        ],
        [
          missing,
          keyFile,
          `--tls-cert ${missing}: no such file`,
          `--tls-cert ${missing}: ファイルがありません`,
        ],
        [
          certFile,
          dir,
          `--tls-key ${dir}: a directory, not a file`,
          `--tls-key ${dir}: ファイルではなくディレクトリです`,
        ],
      ];
      for (const [tlsCert, tlsKey, en, ja] of cases) {
        expect(await smtpd(tlsCert, tlsKey)).toEqual({ code: 2, stdout: '', stderr: `error: ${en}\n` });
        expect(await smtpd(tlsCert, tlsKey, 'ja')).toEqual({
          code: 2,
          stdout: '',
          stderr: `エラー: ${ja}\n`,
        });
      }
    } finally {
      pki.cleanup();
    }
  });

  it('says in one line that the address is taken, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const { port } = taken.address() as AddressInfo;
    try {
      const db = path.join(dir, 'sumi.db');
      const en = await sumi(['smtpd', '--accept', 'a@b.jp', '--listen', `127.0.0.1:${port}`, '--db', db]);
      expect(en.code).toBe(1);
      expect(en.stderr).toBe(
        `error: cannot listen on 127.0.0.1:${port}: another program is listening there\n`,
      );
      const ja = await sumi(['--lang', 'ja', 'serve', '--listen', `127.0.0.1:${port}`, '--db', db]);
      expect(ja.code).toBe(1);
      expect(ja.stderr).toBe(
        `エラー: 127.0.0.1:${port} で待ち受けできません: 別のプログラムがそこで待ち受けています\n`,
      );
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });
});
