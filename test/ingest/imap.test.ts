import { chmod, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { type ImapEvent, ingestImap, uidSet } from '../../src/ingest/imap.ts';
import {
  ArchiveNameError,
  archiveIsFolder,
  folderHint,
  IMAP_OTHER_MAIL_KEYWORD,
  ImapAccessError,
  imapReason,
  isImapKeyword,
  parseImapUrl,
  sourceEnvAllowed,
} from '../../src/ingest/imap-account.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { stallMeter } from '../helpers/event-loop.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { until } from '../helpers/until.ts';
import { holdingWriteLock } from '../store/helpers.ts';
import {
  appendMail,
  type Dovecot,
  dovecotInstalled,
  freePort,
  startDovecot,
  startRelay,
  withImap,
} from './helpers/dovecot.ts';
import { plainMail, reportMail } from './helpers/reports.ts';
import { sumi } from './helpers/sumi.ts';

if (!dovecotInstalled) {
  console.log(
    'IMAP tests skipped: dovecot-imapd is not installed (bash .ci/setup.d/20-dovecot.sh installs it)',
  );
}

describe('parseImapUrl', () => {
  it('hints at the folder meant: one differing only in case, else the folders by name', () => {
    expect(folderHint('/reports/dmarc/', ['INBOX', 'Reports/DMARC'])).toEqual({ like: 'Reports/DMARC' });
    expect(folderHint('Nowhere', ['Sent', 'INBOX'])).toEqual({ folders: ['INBOX', 'Sent'] });
    expect(folderHint('Nowhere', [])).toBeNull();
    // imap://.../DMARC#1 names DMARC: the rest is the URL's fragment.
    expect(folderHint('DMARC', ['INBOX', 'DMARC#1'])).toEqual({ written: 'DMARC%231' });
    expect(folderHint('Reports/Q', ['Reports/Q?%'])).toEqual({ written: 'Reports/Q%3F%25' });
  });

  it('reads user, host, port, folder and TLS mode', () => {
    expect(parseImapUrl('imap://dmarc%40example.jp@mail.example.jp/Reports%2F2024')).toEqual({
      secure: false,
      host: 'mail.example.jp',
      port: 143,
      user: 'dmarc@example.jp',
      folder: 'Reports/2024',
    });
    expect(parseImapUrl('imaps://u@[::1]:1993')).toMatchObject({
      secure: true,
      host: '::1',
      port: 1993,
      folder: 'INBOX',
    });
    expect(() => parseImapUrl('http://u@h/INBOX')).toThrow(RangeError);
    expect(() => parseImapUrl('imap://host/INBOX')).toThrow(RangeError);
  });
});

describe('what processed mail is moved to or marked with', () => {
  it('takes an IMAP keyword: an atom of ASCII, without ( ) { % * " \\ ] or a space', () => {
    for (const keyword of ['$SumiProcessed', 'Sumi-Done', 'done.2024', '$Label1'])
      expect(isImapKeyword(keyword)).toBe(true);
    for (const keyword of ['Sumi Done', '処理済み', '$Sumi(x)', 'a%b', 'a*', 'a"b', 'a\\b', 'a]', '{a', ''])
      expect(isImapKeyword(keyword)).toBe(false);
  });

  it('sees an archive folder that is the folder read, INBOX in any case', () => {
    expect(archiveIsFolder('INBOX', 'inbox')).toBe(true);
    expect(archiveIsFolder('/Reports/DMARC/', 'Reports/DMARC')).toBe(true);
    expect(archiveIsFolder('Inbox/DMARC', 'INBOX/DMARC')).toBe(true);
    expect(archiveIsFolder('Reports', 'reports')).toBe(false);
    expect(archiveIsFolder('INBOX', 'Sumi/Processed')).toBe(false);
    expect(archiveIsFolder('INBOX', 'INBOX/Processed')).toBe(false);
    // Exchange's folders and Gmail's labels match in any case.
    expect(archiveIsFolder('Reports/DMARC', 'reports/dmarc', true)).toBe(true);
  });
});

describe('ingestImap stopped while connecting', () => {
  it('ends at once when stopped while a server that accepts never answers', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const { port } = silent.address() as net.AddressInfo;
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const controller = new AbortController();
    const started = Date.now();
    const running = ingestImap(`imap://u@127.0.0.1:${port}/INBOX`, {
      store,
      password: 'x',
      starttls: 'off',
      watch: true,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await expect(running).resolves.toMatchObject({ reports: 0 });
    // Not imapflow's greeting or connection timeouts (16 s, 90 s).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('sourceEnvAllowed', () => {
  it('lets a mailbox source kept in the dashboard name only variables meant for its password or secret', () => {
    for (const name of [
      'SUMI_IMAP_PASSWORD',
      'SUMI_PASSWORD',
      'SUMI_SECRET',
      'SUMI_GRAPH_CONTOSO_SECRET',
      'SUMI_2_PASSWORD',
    ])
      expect(sourceEnvAllowed(name), name).toBe(true);
    for (const name of [
      'SUMI_DB',
      'DATABASE_URL',
      'AWS_SECRET_ACCESS_KEY',
      'IMAP_PASSWORD',
      'SUMI_PASSWORDS',
      'sumi_imap_password',
      'SUMI_IMAP_PASSWORD_OLD',
      `SUMI_${'X'.repeat(60)}_SECRET`,
    ])
      expect(sourceEnvAllowed(name), name).toBe(false);
  });
});

describe('uidSet', () => {
  it('writes ascending UIDs as an IMAP sequence set, runs as ranges', () => {
    expect(uidSet([3, 4, 5, 6, 7, 9, 12, 13])).toBe('3:7,9,12:13');
    expect(uidSet([1])).toBe('1');
    expect(uidSet([])).toBe('');
  });
});

describe.skipIf(!dovecotInstalled)(
  'ingestImap against Dovecot (skipped when dovecot-imapd is not installed)',
  () => {
    let dovecot: Dovecot;
    let store: Store;
    let user = '';
    let n = 0;

    beforeAll(async () => {
      dovecot = await startDovecot();
    });
    afterAll(async () => {
      await dovecot?.stop();
    });
    beforeEach(async () => {
      // A mailbox of its own for each test.
      user = `dmarc${++n}@example.jp`;
      store = await openStore(':memory:');
    });
    afterEach(async () => {
      await store.close();
    });

    const url = (folder = 'INBOX') =>
      `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/${folder}`;
    const options = () => ({ store, password: dovecot.password, starttls: 'off' as const });

    const client = <T>(work: (c: ImapFlow) => Promise<T>) => withImap(dovecot, { user }, work);
    const append = (mails: string[], folder = 'INBOX') =>
      client(async (c) => {
        await c.mailboxCreate(folder).catch(() => {});
        for (const mail of mails) await c.append(folder, mail);
      });
    const count = (folder: string) =>
      client(async (c) => ((await c.status(folder, { messages: true })) || { messages: -1 }).messages);

    it('ingests every mail, then moves it to the archive folder it creates', async () => {
      await append([reportMail({ reportId: 'i-1' }), reportMail({ reportId: 'i-2' }), plainMail()]);
      const totals = await ingestImap(url(), options());
      expect(totals).toMatchObject({ reports: 2, duplicates: 0, records: 4, inputs: 3 });
      expect(totals.failed).toHaveLength(1);
      expect(totals.failed[0]!.source).toMatch(/;UID=3$/);
      expect(await count('INBOX')).toBe(0);
      // Dovecot's Maildir separator is ".": Sumi/Processed is created as Sumi.Processed.
      expect(await count('Sumi.Processed')).toBe(3);
      expect((await store.countReports()).quarantined).toBe(1);
      // A second run finds nothing left to do.
      expect(await ingestImap(url(), options())).toMatchObject({ reports: 0, inputs: 0 });
    });

    it('flags instead of moving, and skips flagged mail the next time', async () => {
      await append([reportMail({ reportId: 'f-1' }), reportMail({ reportId: 'f-2' })], 'Reports');
      const flagOptions = { ...options(), flag: '$SumiProcessed' };
      expect(await ingestImap(url('Reports'), flagOptions)).toMatchObject({ reports: 2, inputs: 2 });
      expect(await count('Reports')).toBe(2);
      expect(await ingestImap(url('Reports'), flagOptions)).toMatchObject({ reports: 0, inputs: 0 });
      const flags = await client(async (c) => {
        await c.mailboxOpen('Reports');
        const out: string[][] = [];
        for await (const m of c.fetch('1:*', { flags: true })) out.push([...(m.flags ?? [])]);
        return out;
      });
      expect(flags.every((f) => f.includes('$SumiProcessed'))).toBe(true);
    });

    it('with leaveOtherMail, leaves mail with nothing like a report where it is, marked, and does not fetch it again; a damaged report is still kept and moved', async () => {
      const attachment = (type: string, name: string, bytes: Buffer) =>
        [
          'From: someone@example.net',
          'To: dmarc@example.jp',
          `Subject: ${name}`,
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b2"',
          '',
          '--b2',
          'Content-Type: text/plain',
          '',
          'See attached.',
          '--b2',
          `Content-Type: ${type}; name="${name}"`,
          `Content-Disposition: attachment; filename="${name}"`,
          'Content-Transfer-Encoding: base64',
          '',
          bytes.toString('base64'),
          '--b2--',
          '',
        ].join('\r\n');
      const minutes = attachment('application/pdf', 'minutes.pdf', Buffer.from('%PDF-1.4\n%not a report\n'));
      // A gzip header before bytes that do not inflate: a report that cannot be read.
      const gzipHeader = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
      const broken = attachment(
        'application/gzip',
        'r!example.jp!1.xml.gz',
        Buffer.concat([gzipHeader, Buffer.from('not deflate')]),
      );
      await append([reportMail({ reportId: 'o-1' }), plainMail('lunch?'), minutes, broken]);
      const leave = { ...options(), leaveOtherMail: true };
      const totals = await ingestImap(url(), leave);
      expect(totals).toMatchObject({ reports: 1, inputs: 4, otherMail: 2 });
      expect(totals.failed.map((f) => f.source.replace(/.*;UID=/, ''))).toEqual([
        '4 > attachment 1 r!example.jp!1.xml.gz',
      ]);
      expect(await count('INBOX')).toBe(2);
      expect(await count('Sumi.Processed')).toBe(2);
      expect((await store.countReports()).quarantined).toBe(1);
      const left = await client(async (c) => {
        await c.mailboxOpen('INBOX');
        const out: { subject: string; flags: string[] }[] = [];
        for await (const m of c.fetch('1:*', { envelope: true, flags: true }))
          out.push({ subject: m.envelope?.subject ?? '', flags: [...(m.flags ?? [])] });
        return out;
      });
      expect(left.map((m) => m.subject)).toEqual(['lunch?', 'minutes.pdf']);
      expect(left.every((m) => m.flags.includes(IMAP_OTHER_MAIL_KEYWORD))).toBe(true);
      const events: ImapEvent[] = [];
      const again = await ingestImap(url(), { ...leave, onEvent: (event) => events.push(event) });
      expect(again).toMatchObject({ inputs: 0, otherMail: 0, failed: [] });
      expect(events[0]).toMatchObject({ type: 'connected', pending: 0 });
      // Without the option such mail is kept and moved, as before.
      expect(await ingestImap(url(), options())).toMatchObject({ inputs: 2, otherMail: 0 });
      expect(await count('INBOX')).toBe(0);
    });

    it('sumi ingest --leave-other-mail: the mail left is counted in --json as other_mail and said in the summary', async () => {
      await append([reportMail({ reportId: 'oc-1' }), plainMail('lunch?')]);
      const db = path.join(tmpdir(), `sumi-leave-${process.pid}-${n}.db`);
      onTestFinished(() => rm(db, { force: true }));
      const args = ['ingest', url(), '--starttls', 'off', '--leave-other-mail', '--db', db];
      const env = { SUMI_IMAP_PASSWORD: dovecot.password };
      const json = await sumi([...args, '--json'], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ reports: 1, other_mail: 1, failed: [] });
      // The mail left is not fetched again; a mail arriving is.
      await append([plainMail('again')]);
      const ja = await sumi(args, { ...env, LANG: 'ja_JP.UTF-8' });
      expect(ja.code).toBe(0);
      expect(ja.stdout).toContain('レポートらしいものを含まないメール 1 通をそのまま残しました');
      expect(await count('INBOX')).toBe(2);
    });

    it('sumi ingest imap:// keeps its event loop going while another process holds the SQLite store locked, then stores the mail', async () => {
      await append([reportMail({ reportId: 'lock-1' }), reportMail({ reportId: 'lock-2' })]);
      const db = path.join(tmpdir(), `sumi-imap-locked-${process.pid}-${n}.db`);
      onTestFinished(() => rm(db, { force: true }));
      await (await openStore(db)).close();
      // As a sumi ingest of files storing a large report holds it.
      const { released } = await holdingWriteLock(
        db,
        1_500,
        "insert into audit_log (at, action) values (1, 'other')",
      );
      const stalls = stallMeter();
      try {
        const run = await sumi(['ingest', url(), '--starttls', 'off', '--json', '--db', db], {
          SUMI_IMAP_PASSWORD: dovecot.password,
        });
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ reports: 2, failed: [] });
      } finally {
        stalls.stop();
      }
      await released;
      // Before: the event loop stood still in SQLite's busy handler while the mail's writes
      // waited, the IMAP connection's timers and the fetches under way with it.
      expect(stalls.longestMs).toBeLessThan(500);
      expect(await count('INBOX')).toBe(0);
    });

    it('says a stop cut the run short only when mail was left in the folder', async () => {
      await append([reportMail({ reportId: 's-1' }), reportMail({ reportId: 's-2' })]);
      const run = async (stop: 'before' | 'listed' | 'stored') => {
        const controller = new AbortController();
        if (stop === 'before') controller.abort();
        let cutShort = false;
        const totals = await ingestImap(url(), {
          ...options(),
          signal: controller.signal,
          // Once the folder is searched, before its mail is fetched.
          onEvent: (event) => {
            if (stop === 'listed' && event.type === 'connected') controller.abort();
          },
          // Once a group's mail is stored and moved: here the folder's only group.
          onProgress: () => {
            if (stop === 'stored') controller.abort();
          },
          onCutShort: () => {
            cutShort = true;
          },
        });
        return { inputs: totals.inputs, cutShort };
      };
      expect(await run('before')).toEqual({ inputs: 0, cutShort: true });
      expect(await run('listed')).toEqual({ inputs: 0, cutShort: true });
      expect(await count('INBOX')).toBe(2);
      expect(await run('stored')).toEqual({ inputs: 2, cutShort: false });
      expect(await count('INBOX')).toBe(0);
    });

    it('leaves mail in the folder when its store transaction fails, moves the rest, and a rerun completes', async () => {
      await append([reportMail({ reportId: 'c-1' }), plainMail(), reportMail({ reportId: 'c-2' })]);
      const wentAway = () => Promise.reject(new Error('database went away'));
      // The reports' transaction fails; the mail that is not a report is quarantined and moved.
      const failing: Store = Object.create(store, {
        insertAggregateReports: { value: wentAway },
        insertAggregateReport: { value: wentAway },
        quarantine: { value: (...args: Parameters<Store['quarantine']>) => store.quarantine(...args) },
      });
      await expect(ingestImap(url(), { ...options(), store: failing })).rejects.toThrow('database went away');
      expect(await count('INBOX')).toBe(2);
      expect(await count('Sumi.Processed')).toBe(1);
      expect(await ingestImap(url(), options())).toMatchObject({ reports: 2, duplicates: 0, inputs: 2 });
      expect((await store.countReports()).reports).toBe(2);
      expect(await count('INBOX')).toBe(0);
    });

    it("writes folder paths with '/' whatever the server's separator, Japanese names included", async () => {
      // Dovecot's Maildir separator is '.': レポート/2026 is レポート.2026 there.
      await append([reportMail({ reportId: 'ja-1' }), reportMail({ reportId: 'ja-2' })], 'レポート.2026');
      const totals = await ingestImap(url(encodeURIComponent('レポート/2026')), {
        ...options(),
        archive: '処理済み/DMARC',
      });
      expect(totals).toMatchObject({ reports: 2, inputs: 2, failed: [] });
      expect(await count('レポート.2026')).toBe(0);
      expect(await count('処理済み.DMARC')).toBe(2);
    });

    it('fetches, stores and moves mail in groups: 300 mails, every one moved once its report is stored', async () => {
      const mails = Array.from({ length: 300 }, (_, i) =>
        i % 50 === 7 ? plainMail(`note ${i}`) : reportMail({ reportId: `g-${i}`, records: 1 + (i % 3) }),
      );
      await client(async (c) => {
        for (const mail of mails) await c.append('INBOX', mail);
      });
      const relay = await startRelay(dovecot.port);
      onTestFinished(() => relay.close());
      const seen: number[] = [];
      const totals = await ingestImap(url().replace(`:${dovecot.port}/`, `:${relay.port}/`), {
        ...options(),
        onProgress: (p) => seen.push(p.totals.inputs),
      });
      expect(totals).toMatchObject({ reports: 294, inputs: 300, duplicates: 0 });
      expect(totals.failed.map((f) => f.source.replace(/.*;UID=/, ''))).toEqual([
        '8',
        '58',
        '108',
        '158',
        '208',
        '258',
      ]);
      expect(totals.records).toBe(mails.reduce((sum, _, i) => sum + (i % 50 === 7 ? 0 : 1 + (i % 3)), 0));
      expect(await count('INBOX')).toBe(0);
      expect(await count('Sumi.Processed')).toBe(300);
      // A FETCH of bodies and a MOVE per group of at most 128 mails, not per mail.
      const commands = relay.sent().map((line) => line.split(' ').slice(1, 3).join(' '));
      expect(commands.filter((c) => c === 'UID MOVE')).toHaveLength(3);
      expect(commands.filter((c) => c === 'UID FETCH')).toHaveLength(1 + 3);
      // Progress is told as groups are stored, not once at the end.
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.at(-1)).toBe(300);
    });

    it('fails at once on a refused login or a missing folder, saying which', async () => {
      const refused = ingestImap(url(), { ...options(), password: 'wrong', watch: true });
      await expect(refused).rejects.toBeInstanceOf(ImapAccessError);
      await expect(refused).rejects.toMatchObject({ code: 'login-refused', target: { user } });
      const missing = ingestImap(url('Nowhere'), { ...options(), watch: true });
      await expect(missing).rejects.toMatchObject({ code: 'no-folder', target: { folder: 'Nowhere' } });
      await expect(missing).rejects.toThrow(/Nowhere/);
      // The account's folders come with it, written with '/' as the owner writes them.
      const { folders } = (await missing.catch((error: unknown) => error)) as ImapAccessError;
      expect(folders).toContain('INBOX');
    });

    it('says which folder was meant when only its case differs, or which folders there are (sumi ingest, en and ja)', async () => {
      await client((c) => c.mailboxCreate(['Reports', 'DMARC']).then(() => undefined));
      const db = path.join(tmpdir(), `sumi-folder-${process.pid}-${n}.db`);
      onTestFinished(() => rm(db, { force: true }));
      const env = { SUMI_IMAP_PASSWORD: dovecot.password };
      const run = (folder: string, lang = 'en_US.UTF-8') =>
        sumi(['ingest', url(folder), '--starttls', 'off', '--db', db], { ...env, LANG: lang });
      const cased = await run('reports/dmarc');
      expect(cased.code).toBe(1);
      expect(cased.stderr).toContain('has no folder reports/dmarc for');
      expect(cased.stderr).toContain('(did you mean Reports/DMARC? The server matches folder names exactly)');
      const ja = await run('reports/dmarc', 'ja_JP.UTF-8');
      expect(ja.stderr).toContain('（Reports/DMARC のことですか？');
      const elsewhere = await run('Elsewhere');
      expect(elsewhere.stderr).toMatch(/\(the account's folders: (.+, )?INBOX, .*Reports\/DMARC.*\)/);
    });

    /** The Maildir folder of the test's user (`folder` as Dovecot names it: '' for INBOX, '.Sumi.Processed'). */
    const maildir = (folder = '') => path.join(dovecot.dir, 'mail', user.replace(/@.*/, ''), folder);
    /** The folder and its cur, new and tmp read-only for Dovecot's mail user: what a full quota or an ACL refuses. */
    const readOnly = async (folder: string, mode = 0o555) => {
      for (const sub of ['tmp', 'new', 'cur', '']) await chmod(path.join(maildir(folder), sub), mode);
    };

    it('says a MOVE the server refuses once the stored mail is counted, and a watch tries again later, waiting longer each time', async () => {
      await client((c) => c.mailboxCreate('Sumi.Processed').then(() => undefined));
      await append([reportMail({ reportId: 'm-1' }), reportMail({ reportId: 'm-2' })]);
      await readOnly('.Sumi.Processed');
      onTestFinished(() => readOnly('.Sumi.Processed', 0o755));
      const refused = await ingestImap(url(), options()).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ImapAccessError);
      expect(refused).toMatchObject({ code: 'not-processed', archive: 'Sumi/Processed', keyword: null });
      expect((refused as ImapAccessError).reason).not.toBe('MOVE refused');
      // The reports are stored; the mail stays, and the next run counts it as duplicates.
      expect((await store.countReports()).reports).toBe(2);
      expect(await count('INBOX')).toBe(2);
      // A watch waits it out, longer each time: a connection that works is no reason to hurry.
      const controller = new AbortController();
      const delays: number[] = [];
      const watching = ingestImap(url(), {
        ...options(),
        watch: true,
        signal: controller.signal,
        reconnect: { minMs: 20, maxMs: 160 },
        onEvent: (e) => {
          if (e.type !== 'reconnecting') return;
          expect(e.error).toMatchObject({ code: 'not-processed' });
          delays.push(e.delayMs);
          if (delays.length === 5) controller.abort();
        },
      });
      await watching;
      expect(delays).toEqual([20, 40, 80, 160, 160]);
    }, 30_000);

    it("says a keyword the folder keeps none of in the reader's language (sumi ingest --flag, en and ja)", async () => {
      await append([reportMail({ reportId: 'k-1' })]);
      // A server whose folders keep only the system flags: no `\*` among the permanent ones.
      const relay = await startRelay(dovecot.port, {
        answers: (text) => text.replace(/ \\\*\)\] Flags permitted/, ')] Flags permitted'),
      });
      onTestFinished(() => relay.close());
      const relayed = url().replace(`:${dovecot.port}/`, `:${relay.port}/`);
      const refused = await ingestImap(relayed, { ...options(), flag: '$Done' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: 'not-processed',
        keyword: '$Done',
        reason: 'the folder keeps no keyword $Done',
        ownReason: { key: 'noKeyword', values: { keyword: '$Done' } },
      });
      expect(imapReason(refused as ImapAccessError, 'ja')).toBe(
        'このフォルダーはキーワード $Done を保持しません',
      );
      const db = path.join(tmpdir(), `sumi-nokeyword-${process.pid}-${n}.db`);
      onTestFinished(() => rm(db, { force: true }));
      const ja = await sumi(['ingest', relayed, '--starttls', 'off', '--flag', '$Done', '--db', db], {
        SUMI_IMAP_PASSWORD: dovecot.password,
        LANG: 'ja_JP.UTF-8',
      });
      expect(ja.code).toBe(1);
      expect(ja.stderr).toContain('を拒否しました: このフォルダーはキーワード $Done を保持しません。');
      expect(ja.stderr).not.toContain('keeps no keyword');
    });

    it('says an archive folder the server will not create, and makes none for a folder not there', async () => {
      await append([reportMail({ reportId: 'a-1' })]);
      const refused = ingestImap(url(), { ...options(), archive: '~evil' });
      await expect(refused).rejects.toMatchObject({
        code: 'archive-refused',
        archive: '~evil',
        reason: expect.stringMatching(/invalid/i),
      });
      expect(await count('INBOX')).toBe(1);
      await expect(ingestImap(url('Nowhere'), options())).rejects.toMatchObject({ code: 'no-folder' });
      const folders = await client(async (c) => (await c.list()).map((box) => box.path));
      expect(folders).not.toContain('Sumi.Processed');
    });

    it('says a folder the server will not open for another reason than its absence', async () => {
      await append([reportMail({ reportId: 's-1' })]);
      // Dovecot's index of INBOX, and the folder, read-only: SELECT answers NO [SERVERBUG].
      await readOnly('');
      for (const file of await readdir(maildir()))
        if (file.startsWith('dovecot')) await chmod(path.join(maildir(), file), 0o444);
      onTestFinished(async () => {
        await readOnly('', 0o755);
        for (const file of await readdir(maildir()))
          if (file.startsWith('dovecot')) await chmod(path.join(maildir(), file), 0o644);
      });
      await expect(ingestImap(url(), { ...options(), flag: '$Done' })).rejects.toMatchObject({
        code: 'folder-refused',
      });
    });

    it('refuses a keyword the server cannot keep and an archive folder that is the folder read, before connecting', async () => {
      await expect(ingestImap(url(), { ...options(), flag: 'Sumi Done' })).rejects.toThrow(RangeError);
      await expect(ingestImap(url(), { ...options(), archive: 'inbox' })).rejects.toThrow(RangeError);
      // Dovecot would make INBOX. as INBOX, then refuse every MOVE into it.
      await expect(ingestImap(url(), { ...options(), archive: 'INBOX.' })).rejects.toThrow(
        new ArchiveNameError('trailing-dot', 'INBOX.'),
      );
      const db = path.join(tmpdir(), `sumi-keyword-${process.pid}-${n}.db`);
      onTestFinished(() => rm(db, { force: true }));
      const env = { SUMI_IMAP_PASSWORD: dovecot.password };
      const run = (...args: string[]) =>
        sumi(['ingest', url(), '--starttls', 'off', '--db', db, ...args], env);
      const keyword = await run('--flag', 'Sumi Done');
      expect([keyword.code, keyword.stderr]).toEqual([
        2,
        expect.stringContaining('--flag Sumi Done is not an IMAP keyword'),
      ]);
      const same = await run('--archive', 'Inbox');
      expect([same.code, same.stderr]).toEqual([
        2,
        expect.stringContaining('--archive Inbox is the folder read'),
      ]);
    });

    it('says a server that is not there, and TLS that fails, apart from other faults', async () => {
      const closed = await freePort();
      await expect(ingestImap(`imap://u@127.0.0.1:${closed}/INBOX`, options())).rejects.toMatchObject({
        code: 'unreachable',
        reason: expect.stringMatching(/ECONNREFUSED/),
      });
      // TLS spoken to a port that speaks plain IMAP, and STARTTLS required of a server without it.
      const plain = `${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`;
      await expect(ingestImap(`imaps://${plain}`, options())).rejects.toMatchObject({
        code: 'tls',
        reason: 'wrong version number',
      });
      await expect(
        ingestImap(`imap://${plain}`, { ...options(), starttls: 'required' }),
      ).rejects.toMatchObject({
        code: 'tls',
        reason: 'Server does not support STARTTLS',
      });
    });

    it('says a connection lost under its MOVE as lost, not as a MOVE the server refused', async () => {
      const relay = await startRelay(dovecot.port, { cutOn: /UID MOVE/ });
      onTestFinished(() => relay.close());
      await append([reportMail({ reportId: 'cut-move' })]);
      const error = await ingestImap(url().replace(`:${dovecot.port}/`, `:${relay.port}/`), options()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ImapAccessError);
      expect((error as ImapAccessError).code).toBe('connection-lost');
      // Stored, and left in the folder for the next run to move.
      expect((await store.countReports()).reports).toBe(1);
      expect(await count('INBOX')).toBe(1);
    });

    it('watches with IDLE, ingests mail as it arrives, and reconnects after the connection is cut', async () => {
      const relay = await startRelay(dovecot.port);
      onTestFinished(() => relay.close());
      const controller = new AbortController();
      const events: ImapEvent[] = [];
      await append([reportMail({ reportId: 'w-0' })]);
      const running = ingestImap(url().replace(`:${dovecot.port}/`, `:${relay.port}/`), {
        ...options(),
        watch: true,
        signal: controller.signal,
        reconnect: { minMs: 100, maxMs: 400 },
        onEvent: (e) => events.push(e),
      });
      const waitFor = (reports: number) =>
        until(`${reports} reports are stored`, async () => (await store.countReports()).reports >= reports);
      await waitFor(1);
      await append([reportMail({ reportId: 'w-1' })]);
      await waitFor(2);
      relay.cut();
      await append([reportMail({ reportId: 'w-2' })]);
      await waitFor(3);
      controller.abort();
      const totals = await running;
      expect(totals.reports).toBe(3);
      expect(events.some((e) => e.type === 'watching')).toBe(true);
      const lost = events.find((e) => e.type === 'reconnecting')?.error;
      // Said in the reader's language: the server closed it, where 'connection closed' was English.
      expect(lost).toBeInstanceOf(ImapAccessError);
      expect((lost as ImapAccessError).code).toBe('connection-lost');
      expect(imapReason(lost as ImapAccessError, 'ja')).toBe('サーバーがエラーを告げずに閉じました');
      expect(await count('INBOX')).toBe(0);
    }, 60_000);
  },
);

describe.skipIf(!dovecotInstalled)(
  'ingestImap over TLS (skipped when dovecot-imapd is not installed)',
  () => {
    let dovecot: Dovecot;
    let pki: TestPki;
    let store: Store;

    beforeAll(async () => {
      vi.stubEnv('SUMI_TEST_IMAP_PASSWORD', 'lab-password');
      pki = createTestPki();
      dovecot = await startDovecot({ tls: pki.issue(['localhost']) });
    });
    afterAll(async () => {
      await dovecot?.stop();
      pki?.cleanup();
    });
    beforeEach(async () => {
      store = await openStore(':memory:');
    });
    afterEach(async () => {
      await store.close();
    });

    const append = (user: string, mail: string) => appendMail(dovecot, { user, tls: true }, mail);

    it('uses STARTTLS (required by default) and implicit TLS (imaps://); --insecure accepts a lab certificate', async () => {
      await append('tls1@example.jp', reportMail({ reportId: 't-1' }));
      const starttls = `imap://tls1%40example.jp@127.0.0.1:${dovecot.port}/INBOX`;
      // The lab certificate does not verify: refused unless --insecure.
      await expect(ingestImap(starttls, { store, password: dovecot.password })).rejects.toThrow();
      expect(await ingestImap(starttls, { store, password: dovecot.password, insecure: true })).toMatchObject(
        {
          reports: 1,
        },
      );
      await append('tls2@example.jp', reportMail({ reportId: 't-2' }));
      const implicit = `imaps://tls2%40example.jp@127.0.0.1:${dovecot.tlsPort}/INBOX`;
      expect(
        await ingestImap(implicit, { store, passwordEnv: 'SUMI_TEST_IMAP_PASSWORD', insecure: true }),
      ).toMatchObject({ reports: 1 });
    });
  },
);
