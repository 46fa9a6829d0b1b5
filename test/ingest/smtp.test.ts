import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SMTP_MAX_RECIPIENTS, type SmtpReceiver, startSmtpReceiver } from '../../src/ingest/smtp.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';
import { plainMail, reportMail } from './helpers/reports.ts';
import { smtpClient } from './helpers/smtp-client.ts';

describe('sumi smtpd receiver, with a real SMTP client (nodemailer)', () => {
  let store: Store;
  let receiver: SmtpReceiver;
  let pki: TestPki;
  const errors: unknown[] = [];

  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.cleanup());
  beforeEach(async () => {
    store = await openStore(':memory:');
    errors.length = 0;
  });
  afterEach(async () => {
    await receiver?.close();
    await store.close();
  });

  const start = async (extra: Partial<Parameters<typeof startSmtpReceiver>[0]> = {}) => {
    receiver = await startSmtpReceiver({
      store,
      host: '127.0.0.1',
      port: 0,
      accept: ['dmarc@example.jp', 'TLSRPT@example.jp'],
      onError: (_source, error) => errors.push(error),
      ...extra,
    });
  };
  const send = (raw: string, to = 'dmarc@example.jp', tls = false) =>
    nodemailer
      .createTransport({
        host: '127.0.0.1',
        port: receiver.port,
        secure: false,
        ignoreTLS: !tls,
        requireTLS: tls,
        tls: { ca: pki.caCert, servername: 'localhost' },
      })
      .sendMail({ envelope: { from: 'noreply@receiver.example', to: [to] }, raw });

  it('stores the reports before answering 250', async () => {
    await start();
    const info = await send(reportMail({ reportId: 's-1', records: 3 }));
    expect(info.response).toMatch(/^250 stored 1 report$/);
    // No waiting: the reply came after the commit.
    expect(await store.countReports()).toMatchObject({ reports: 1, records: 3 });
    // Recipients are matched case-insensitively; the same report again is a duplicate, and said so.
    const again = await send(reportMail({ reportId: 's-1', records: 3 }), 'tlsrpt@EXAMPLE.jp');
    expect(again.response).toMatch(/^250 1 report already stored$/);
    expect((await store.countReports()).reports).toBe(1);
    // A mail with a new report beside the stored one.
    const other = reportMail({ reportId: 's-7' });
    const both = reportMail({ reportId: 's-1', records: 3 }).replace(
      /--b1--\r\n$/,
      other.slice(other.lastIndexOf('--b1\r\nContent-Type: application/gzip')),
    );
    expect((await send(both)).response).toMatch(/^250 stored 1 report, 1 report already stored$/);
    expect((await store.countReports()).reports).toBe(2);
  });

  it('takes a recipient whose domain is in punycode or Unicode, whichever form --accept gives', async () => {
    for (const accept of ['dmarc@xn--r8jz45g.jp', 'dmarc@例え.jp']) {
      await start({ accept: [accept] });
      for (const to of ['dmarc@xn--r8jz45g.jp', 'DMARC@例え.JP', 'dmarc@XN--R8JZ45G.jp']) {
        const client = await smtpClient(receiver.port);
        await client.say('EHLO client.example');
        await client.say('MAIL FROM:<noreply@receiver.example>');
        expect([accept, to, await client.say(`RCPT TO:<${to}>`)]).toEqual([accept, to, '250 Accepted']);
        expect(await client.say(`RCPT TO:<postmaster@${to.split('@')[1]}>`)).toMatch(/^550 /);
        client.socket.destroy();
      }
      await receiver.close();
    }
  });

  it('keeps a mail without a report in the quarantine and still accepts it', async () => {
    await start();
    const info = await send(plainMail());
    expect(info.response).toMatch(/^250 .*no report/);
    expect((await store.countReports()).quarantined).toBe(1);
  });

  it('refuses recipients outside --accept at RCPT', async () => {
    await start();
    await expect(send(reportMail({ reportId: 's-2' }), 'postmaster@example.jp')).rejects.toMatchObject({
      responseCode: 550,
    });
    expect((await store.countReports()).reports).toBe(0);
  });

  it('refuses a mail over the size limit', async () => {
    await start({ maxBytes: 1_000 });
    await expect(send(reportMail({ reportId: 's-3', records: 200 }))).rejects.toMatchObject({
      responseCode: 552,
    });
    expect(await store.countReports()).toMatchObject({ reports: 0, quarantined: 0 });
  });

  it('answers 451 when the store fails, so the sender retries', async () => {
    const failing: Store = Object.create(store, {
      insertAggregateReport: { value: () => Promise.reject(new Error('disk full')) },
    });
    await start({ store: failing });
    await expect(send(reportMail({ reportId: 's-4' }))).rejects.toMatchObject({ responseCode: 451 });
    expect(errors).toHaveLength(1);
    expect((await store.countReports()).reports).toBe(0);
  });

  it(`takes at most SMTP_MAX_RECIPIENTS (${SMTP_MAX_RECIPIENTS}) recipients per mail`, async () => {
    const many = Array.from({ length: SMTP_MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.jp`);
    await start({ accept: many });
    const info = await nodemailer
      .createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true })
      .sendMail({
        envelope: { from: 'noreply@receiver.example', to: many },
        raw: reportMail({ reportId: 's-6' }),
      });
    expect(info.accepted).toHaveLength(SMTP_MAX_RECIPIENTS);
    expect(info.rejected).toEqual([many.at(-1)]);
    expect((await store.countReports()).reports).toBe(1);
  });

  it('on close, says 421 to idle connections at once and finishes the mail being received', async () => {
    await start();
    // An MTA keeping its connection for the next mail, and one in the middle of DATA.
    const idle = await smtpClient(receiver.port);
    await idle.say('EHLO idle.example');
    const busy = await smtpClient(receiver.port);
    await busy.say('EHLO busy.example');
    await busy.say('MAIL FROM:<noreply@receiver.example>');
    await busy.say('RCPT TO:<dmarc@example.jp>');
    expect(await busy.say('DATA')).toMatch(/^354 /);
    const mail = reportMail({ reportId: 's-8' });
    busy.socket.write(mail.slice(0, 200));
    const started = Date.now();
    const closed = receiver.close();
    expect(await idle.reply()).toMatch(/^421 /);
    busy.socket.write(`${mail.slice(200)}\r\n.\r\n`);
    expect(await busy.reply()).toBe('250 stored 1 report');
    // Its mail answered, the connection goes too.
    expect(await busy.reply()).toMatch(/^421 /);
    await closed;
    // smtp-server alone waits 30 s for the idle one.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await store.countReports()).reports).toBe(1);
  });

  it('offers STARTTLS with --tls-cert/--tls-key', async () => {
    await start({ tls: pki.issue(['localhost']) });
    const info = await send(reportMail({ reportId: 's-5' }), 'dmarc@example.jp', true);
    expect(info.response).toMatch(/^250 /);
    expect((await store.countReports()).reports).toBe(1);
  });
});
