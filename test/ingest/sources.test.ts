/** The stored IMAP sources `sumi serve` watches: started, stopped, restarted, with a status. */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type ImapSourceSpec, ImapSources } from '../../src/ingest/sources.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { until } from '../helpers/until.ts';
import { appendMail, type Dovecot, dovecotInstalled, startDovecot, withImap } from './helpers/dovecot.ts';
import { plainMail, reportMail } from './helpers/reports.ts';

describe.skipIf(!dovecotInstalled)('ImapSources against Dovecot (skipped without dovecot-imapd)', () => {
  let dovecot: Dovecot;
  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const source = (id: number, user: string, passwordEnv = 'LAB_PASSWORD'): ImapSourceSpec => ({
    id,
    url: `imap://${encodeURIComponent(user)}@127.0.0.1:${dovecot.port}/INBOX`,
    passwordEnv,
    archive: 'Sumi/Processed',
    leaveOtherMail: false,
  });
  const append = (user: string, mail: string) => appendMail(dovecot, { user }, mail);
  /** The sources `list` gives watched (with the lab's password), closed when the test ends. */
  const watching = async (store: Store, list: () => ImapSourceSpec[]) => {
    const sources = new ImapSources({
      store,
      list: async () => list(),
      env: { LAB_PASSWORD: dovecot.password },
      imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
    });
    onTestFinished(() => sources.close());
    await sources.start();
    return sources;
  };

  it('watches each stored source, stops a removed one, and says why one cannot run', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    let specs = [source(1, 'a@example.jp'), source(2, 'b@example.jp'), source(3, 'c@example.jp', 'UNSET')];
    const sources = await watching(store, () => specs);
    await until('both mailboxes are watched', () =>
      [1, 2].every((id) => sources.status().get(id)?.state === 'watching'),
    );
    expect(sources.status().get(3)).toMatchObject({
      state: 'failed',
      error: 'no IMAP password: set UNSET in the environment of sumi serve',
      problem: 'no-password',
      reason: null,
    });
    await append('a@example.jp', reportMail({ reportId: 'src-a-1' }));
    await append('b@example.jp', reportMail({ reportId: 'src-b-1' }));
    await until('both reports are stored', async () => (await store.countReports()).reports === 2);
    await until('the counts are up to date', () => sources.status().get(1)?.reports === 1);
    expect(sources.status().get(1)?.lastReportAt).toBeTypeOf('number');

    // Source 2 is removed: mail arriving there afterwards stays in its folder.
    specs = specs.filter((s) => s.id !== 2);
    await sources.reconcile();
    expect(sources.status().has(2)).toBe(false);
    await append('b@example.jp', reportMail({ reportId: 'src-b-2' }));
    await append('a@example.jp', reportMail({ reportId: 'src-a-2' }));
    await until('the watched one is stored', async () => (await store.countReports()).reports === 3);
    const ids = (await store.listReports({ limit: 10 })).map((r) => r.reportId).sort();
    expect(ids).toEqual(['src-a-1', 'src-a-2', 'src-b-1']);
  }, 60_000);

  it('a source set to leave other mail leaves it in the folder, and is restarted when the setting changes', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const user = 'e@example.jp';
    let specs = [{ ...source(1, user), leaveOtherMail: true }];
    const sources = await watching(store, () => specs);
    await until('the mailbox is watched', () => sources.status().get(1)?.state === 'watching');
    await append(user, plainMail('lunch?'));
    await append(user, reportMail({ reportId: 'src-e-1' }));
    await until('the report is stored', async () => (await store.countReports()).reports === 1);
    const inbox = () =>
      withImap(
        dovecot,
        { user },
        async (c) => ((await c.status('INBOX', { messages: true })) || { messages: -1 }).messages,
      );
    await until('the report mail is moved', async () => (await inbox()) === 1);
    expect((await store.countReports()).quarantined).toBe(0);
    // Set back to the default: the source restarts, and keeps and moves such mail, the one left too.
    specs = [{ ...source(1, user), leaveOtherMail: false }];
    await sources.reconcile();
    await append(user, plainMail('another'));
    await until('both plain mails are kept', async () => (await store.countReports()).quarantined === 2);
    await until('and moved', async () => (await inbox()) === 0);
  }, 60_000);

  it('marks a refused login as failed, and tries it again once changed', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    let specs = [source(1, 'd@example.jp', 'WRONG')];
    const sources = new ImapSources({
      store,
      list: async () => specs,
      env: { WRONG: 'not-the-password', LAB_PASSWORD: dovecot.password },
      imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
    });
    onTestFinished(() => sources.close());
    await sources.start();
    await until('the login is refused', () => sources.status().get(1)?.state === 'failed');
    // Named by code for the dashboard to say in the reader's language, with the server's words.
    const refused = sources.status().get(1);
    expect(refused).toMatchObject({ problem: 'login-refused', reason: expect.stringMatching(/\S/) });
    expect(refused?.error).toContain(refused!.reason!);
    specs = [source(1, 'd@example.jp')];
    await sources.reconcile();
    await until('it is watched', () => sources.status().get(1)?.state === 'watching');
    expect(sources.status().get(1)).toMatchObject({ error: null, problem: null, reason: null });
  }, 60_000);

  it('names a folder the server does not have', async () => {
    const store = await openStore(':memory:');
    onTestFinished(() => store.close());
    const sources = new ImapSources({
      store,
      list: async () => [
        { ...source(1, 'e@example.jp'), url: source(1, 'e@example.jp').url.replace(/INBOX$/, 'Nowhere') },
      ],
      env: { LAB_PASSWORD: dovecot.password },
      imap: { starttls: 'off', reconnect: { minMs: 100, maxMs: 400 } },
    });
    onTestFinished(() => sources.close());
    await sources.start();
    await until('the folder is missing', () => sources.status().get(1)?.problem === 'no-folder');
    expect(sources.status().get(1)?.state).toBe('failed');
  }, 60_000);
});
