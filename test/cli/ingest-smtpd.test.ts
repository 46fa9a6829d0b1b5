import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { reportMail } from '../ingest/helpers/reports.ts';
import { spawnSumi, sumi } from '../ingest/helpers/sumi.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sumi-cli-smtpd-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sumi smtpd', () => {
  it('receives report mail and stores it (child process, stopped by SIGTERM)', async () => {
    const db = path.join(dir, 'sumi.db');
    const child = spawnSumi(['smtpd', '--listen', '127.0.0.1:0', '--accept', 'dmarc@example.jp', '--db', db]);
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
    await vi.waitFor(() => expect(stderr).toMatch(/1 of these were fuller than the copy stored before/), {
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

  it('exits 2 on bad flags', async () => {
    const db = path.join(dir, 'sumi.db');
    expect((await sumi(['smtpd', '--accept', 'not-an-address', '--db', db])).code).toBe(2);
    expect((await sumi(['smtpd', '--db', db])).code).toBe(2);
    expect((await sumi(['smtpd', '--accept', 'a@b.jp', '--listen', 'nowhere', '--db', db])).code).toBe(2);
    const pair = await sumi(['smtpd', '--accept', 'a@b.jp', '--tls-cert', 'c.pem', '--db', db]);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toMatch(/--tls-cert and --tls-key go together/);
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
