import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeReportError,
  parseFailureReport,
  parseTlsReport,
  ReportError,
  unpackAll,
} from '../../src/reports/index.ts';
import { gz, mail } from './fixtures/build.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('failure reports', () => {
  it('reads an RFC 6591 / RFC 9991 report with the whole original message', async () => {
    const report = await parseFailureReport(fixture('arf.eml'));
    expect(report).toMatchObject({
      format: 'arf',
      feedbackType: 'auth-failure',
      userAgent: 'ReceiverFeedback/2.0',
      version: '1',
      authFailure: 'dmarc',
      identityAlignment: 'none',
      deliveryResult: 'reject',
      sourceIp: '192.0.2.99',
      incidents: 2,
      reportingMta: 'mx.receiver.example',
      originalMailFrom: 'bounce@sender.example',
      originalRcptTo: ['user@receiver.example'],
      reportedDomains: ['sender.example'],
      dkimDomain: 'sender.example',
      dkimSelector: 's2023',
      arrivalTime: 1699955998,
      mail: { from: 'feedback@receiver.example', subject: 'DMARC failure report for sender.example' },
    });
    expect(report.authenticationResults[0]).toContain('dmarc=fail header.from=sender.example; dkim=fail');
    expect(report.original).toMatchObject({
      form: 'message',
      from: '"Bank" <alerts@sender.example>',
      subject: 'Verify your account',
      messageId: '<spoof-1@spoof.invalid>',
      redacted: true,
      urls: ['https://phish.invalid/login?id=7', 'http://phish.invalid/other'],
    });
    expect(report.original?.body).toContain('Please log in');
    expect(report.missing).toEqual([]);
  });

  it('reads a base64 feedback part with headers-only original, and says what it lacks', async () => {
    const report = await parseFailureReport(fixture('arf-base64.eml'));
    expect(report).toMatchObject({
      format: 'arf-base64',
      feedbackType: 'auth-failure',
      sourceIp: '203.0.113.5',
    });
    expect(report.original).toMatchObject({ form: 'headers', subject: 'hello', redacted: true, body: null });
    expect(report.missing).toEqual([
      'identity-alignment',
      'arrival-date',
      'original-mail-from',
      'authentication-results',
      'original-body',
    ]);
  });

  it('decodes RFC 2047 encoded words in the original Subject, whole original or headers only', async () => {
    const encoded = '=?UTF-8?B?44CQ6YeN6KaB44CR44Kr44O844OJ44Gu56K66KqN?=';
    for (const name of ['arf.eml', 'arf-base64.eml']) {
      const text = fixture(name).toString('utf8');
      const withEncoded = text.replace(/^Subject: (?!.*DMARC|.*Report).*$/m, `Subject: ${encoded}`);
      expect(withEncoded).not.toBe(text);
      const report = await parseFailureReport(Buffer.from(withEncoded));
      expect(report.original?.subject).toBe('【重要】カードの確認');
      expect(report.original?.headers.find((h) => h.name.toLowerCase() === 'subject')?.value).toBe(encoded);
    }
  });

  /** arf.eml with its Arrival-Date changed, read under a zone 9 h from UTC (a local-time reading shows). */
  async function arrivalOf(date: string) {
    const text = fixture('arf.eml').toString('utf8');
    const changed = text.replace(/^Arrival-Date: .*$/m, `Arrival-Date: ${date}`);
    expect(changed).not.toBe(text);
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const report = await parseFailureReport(Buffer.from(changed));
      return { time: report.arrivalTime, warnings: report.warnings.map((w) => w.code) };
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  }

  it('reads an Arrival-Date without a time zone as UTC, not local time, and says so', async () => {
    const utc = Date.UTC(2015, 3, 29, 23, 34, 45) / 1000;
    for (const date of ['2015-04-29 23:34:45', 'Thu, 29 Apr 2015 23:34:45']) {
      expect(await arrivalOf(date)).toEqual({ time: utc, warnings: ['date-without-zone'] });
    }
    expect(await arrivalOf('Thu, 29 Apr 2015 23:34:45 +0900 (JST)')).toEqual({
      time: utc - 9 * 3600,
      warnings: [],
    });
  });

  it('reads a zone name RFC 5322 does not know as -0000 (UTC), and gives no time for a day that does not exist', async () => {
    const utc = Date.UTC(2015, 3, 29, 23, 34, 45) / 1000;
    for (const date of ['Thu, 29 Apr 2015 23:34:45 JST', 'Thu, 29 Apr 2015 23:34:45 CET']) {
      expect(await arrivalOf(date)).toEqual({ time: utc, warnings: ['date-unknown-zone'] });
    }
    expect(await arrivalOf('Thu, 29 Apr 2015 23:34:45 EDT')).toEqual({ time: utc + 4 * 3600, warnings: [] });
    expect(await arrivalOf('Tue, 31 Apr 2015 23:34:45 +0900')).toEqual({
      time: null,
      warnings: ['invalid-date'],
    });
  });

  it('keeps a report whose Incidents is too large for a number, with the count unknown and a warning', async () => {
    const text = fixture('arf.eml').toString('utf8');
    const changed = text.replace(/^Incidents: .*$/m, 'Incidents: 99999999999999999999');
    expect(changed).not.toBe(text);
    const report = await parseFailureReport(Buffer.from(changed));
    expect(report.incidents).toBeNull();
    expect(report.warnings).toEqual([
      { code: 'count-too-large', count: 1, field: 'Incidents', example: '99999999999999999999' },
    ]);
  });

  it('keeps no Source-Port that is not a TCP port (five digits past 65535), with a warning', async () => {
    const text = fixture('arf.eml').toString('utf8');
    const withPort = (port: string) =>
      Buffer.from(text.replace(/^Source-IP: .*$/m, `$&\r\nSource-Port: ${port}`));
    expect((await parseFailureReport(withPort('65535'))).sourcePort).toBe(65535);
    for (const port of ['99999', '65536', 'smtp']) {
      const report = await parseFailureReport(withPort(port));
      expect(report.sourcePort).toBeNull();
      expect(report.warnings).toEqual([
        { code: 'invalid-port', count: 1, field: 'Source-Port', example: port },
      ]);
    }
  });

  it('reads a plain-text report with no ARF part, keeping the pasted headers', async () => {
    const report = await parseFailureReport(fixture('plain.eml'));
    expect(report).toMatchObject({
      format: 'plain',
      feedbackType: null,
      sourceIp: '198.51.100.23',
      reportedDomains: ['sender.example'],
    });
    expect(report.original).toMatchObject({
      form: 'inline',
      from: 'ceo@sender.example',
      subject: 'Urgent wire transfer',
    });
    expect(report.missing).toContain('feedback-report-part');
    expect(report.missing).toContain('feedback-type');
  });

  it('yields ARF of another feedback type as not a failure report, unless it carries Auth-Failure', async () => {
    const abuse = fixture('arf.eml')
      .toString('utf8')
      .replace('Feedback-Type: auth-failure', 'Feedback-Type: abuse');
    const [mislabelled] = await unpackAll(Buffer.from(abuse), 'abuse.eml');
    expect(mislabelled?.kind).toBe('failure');
    const [complaint] = await unpackAll(Buffer.from(abuse.replace('Auth-Failure: dmarc\n', '')), 'abuse.eml');
    expect(complaint).toMatchObject({
      kind: 'error',
      error: { code: 'failure-other-feedback', args: { feedbackType: 'abuse' } },
    });
    const [untyped] = await unpackAll(fixture('no-feedback-type.eml'), 'untyped.eml');
    expect(untyped?.kind).toBe('failure');
  });

  describe('original headers written raw in a legacy charset', () => {
    const subject = '\u8acb\u6c42\u66f8\u306e\u304a\u77e5\u3089\u305b';
    const raw = {
      Shift_JIS: ['90bf8b818f9182cc82a8926d82e782b9', '8e529363'],
      'EUC-JP': ['c0c1b5e1bdf1a4cea4aac3cea4e9a4bb', 'bbb3c5c4'],
      'ISO-2022-JP': ['1b2442404135613d71244e242a434e2469243b1b2842', '1b24423b3345441b2842'],
    };
    /** The ARF fixture with its original as `part`, holding these header bytes. */
    const arfWith = (part: string, headers: Buffer) => {
      const [head = '', tail = ''] = fixture('arf.eml')
        .toString('latin1')
        .split(/Content-Type: message\/rfc822\r?\n\r?\n[\s\S]*?(?=--arf-boundary--)/);
      return Buffer.concat([
        Buffer.from(`${head}Content-Type: ${part}\n\n`, 'latin1'),
        headers,
        Buffer.from(`\n${part.startsWith('message') ? '\nbody\n' : ''}${tail}--arf-boundary--\n`, 'latin1'),
      ]);
    };
    const headers = (subjectHex: string, fromHex: string, contentType = '') =>
      Buffer.concat([
        Buffer.from('From: '),
        Buffer.from(fromHex, 'hex'),
        Buffer.from(' <taro@sender.example>\nSubject: '),
        Buffer.from(subjectHex, 'hex'),
        Buffer.from(`\nMessage-ID: <jp-1@sender.example>\n${contentType}`),
      ]);

    it.each(Object.entries(raw))(
      'reads %s in a headers-only or a whole original',
      async (charset, [s, f]) => {
        for (const part of ['text/rfc822-headers', 'message/rfc822']) {
          const report = await parseFailureReport(arfWith(part, headers(s!, f!)));
          expect(report.original).toMatchObject({
            subject,
            from: '\u5c71\u7530 <taro@sender.example>',
            messageId: '<jp-1@sender.example>',
          });
          expect(report.warnings).toContainEqual({
            code: 'original-header-charset',
            count: 1,
            example: charset,
          });
        }
      },
    );

    it('reads the charset the part or the headers name, and says when none fits', async () => {
      const latin = Buffer.from('From: M\xfcller <m@sender.example>\nSubject: Gr\xfc\xdfe\n', 'latin1');
      const named = await parseFailureReport(arfWith('text/rfc822-headers; charset=iso-8859-1', latin));
      expect(named.original).toMatchObject({
        from: 'M\u00fcller <m@sender.example>',
        subject: 'Gr\u00fc\u00dfe',
      });
      const own = Buffer.concat([latin, Buffer.from('Content-Type: text/plain;\n charset="ISO-8859-1"\n')]);
      expect((await parseFailureReport(arfWith('text/rfc822-headers', own))).original?.subject).toBe(
        'Gr\u00fc\u00dfe',
      );
      // Neither named nor Japanese: not read as kanji, said to be unknown.
      const unknown = await parseFailureReport(arfWith('text/rfc822-headers', latin));
      expect(unknown.original?.from).toBe('M\ufffdller <m@sender.example>');
      // Its U+FFFD not read again as EUC-JP when the Subject's encoded words are decoded ("Gr鐃緒申e").
      expect(unknown.original?.subject).toBe('Gr\ufffd\ufffde');
      expect(unknown.warnings).toContainEqual({ code: 'original-header-charset-unknown', count: 1 });
      // A Subject alone is EUC-JP too (ü and ß one kanji): not read so, nor said to be EUC-JP.
      const subject = await parseFailureReport(
        arfWith('text/rfc822-headers', latin.subarray(latin.indexOf('Subject'))),
      );
      expect(subject.original?.subject).toBe('Gr\ufffd\ufffde');
      expect(subject.warnings).toContainEqual({ code: 'original-header-charset-unknown', count: 1 });
    });
  });

  it('reads a report without Feedback-Type and lists it as missing', async () => {
    const report = await parseFailureReport(fixture('no-feedback-type.eml'));
    expect(report.feedbackType).toBeNull();
    expect(report.userAgent).toBe('Odd/0.1');
    expect(report.missing).toContain('feedback-type');
    expect(report.missing).toContain('original-headers');
  });

  it('refuses a mail that is not a failure report', async () => {
    const notReport = mail('Lunch?', [{ contentType: 'text/plain', data: 'at noon' }]);
    const refused = await parseFailureReport(notReport).catch((e) => e);
    expect(refused).toMatchObject({ code: 'failure-not-a-report' });
    expect(describeReportError(refused, 'ja')).toBe(
      'このメールは DMARC 失敗レポートではありません: feedback-report パートがなく、失敗レポートとしても読めません。',
    );
    await expect(parseFailureReport('')).rejects.toBeInstanceOf(ReportError);
  });
});

describe('SMTP TLS reports', () => {
  it("reads a date-range time without an offset (Microsoft's) as UTC, whatever the process's time zone, saying so", async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const json = JSON.parse(fixture('tls.json').toString('utf8'));
      json['date-range'] = {
        'start-datetime': '2024-03-03T00:00:00',
        'end-datetime': '2024-03-03T23:59:59Z',
      };
      const report = await parseTlsReport(Buffer.from(JSON.stringify(json)));
      expect(report.window.begin).toBe(Date.UTC(2024, 2, 3) / 1000);
      expect(report.warnings).toMatchObject([
        { code: 'date-without-zone', field: 'date-range.start-datetime' },
      ]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('reads RFC 8460 JSON, plain or gzip', async () => {
    for (const input of [fixture('tls.json'), gz(fixture('tls.json'))]) {
      const report = await parseTlsReport(input);
      expect(report).toMatchObject({
        organizationName: 'Example TLS Reporter',
        contactInfo: 'tlsrpt@reporter.example',
        reportId: '2024-03-01T00:00:00Z_sender.example',
        window: { begin: 1709251200, end: 1709337599, beginIso: '2024-03-01T00:00:00Z' },
        warnings: [],
      });
      expect(report.policies[0]).toEqual({
        policyType: 'sts',
        policyString: ['version: STSv1', 'mode: enforce', 'mx: mx.sender.example', 'max_age: 86400'],
        policyDomain: 'sender.example',
        mxHost: ['mx.sender.example'],
        totalSuccessfulSessionCount: 100,
        totalFailureSessionCount: 2,
        failureDetails: [
          {
            resultType: 'certificate-expired',
            sendingMtaIp: '2001:db8::1',
            receivingMxHostname: 'mx.sender.example',
            receivingMxHelo: null,
            receivingIp: '192.0.2.25',
            failedSessionCount: 2,
            additionalInformation: 'https://reporter.example/tls/1',
            failureReasonCode: null,
          },
        ],
      });
      expect(report.policies[1]).toMatchObject({
        policyType: 'no-policy-found',
        totalFailureSessionCount: 0,
      });
    }
  });

  it('reads a report saved in UTF-16, by its BOM or its zero bytes, and says so', async () => {
    const text = fixture('tls.json').toString('utf8');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(text, 'utf16le').swap16();
    for (const [bytes, encoding] of [
      [le, 'UTF-16LE'],
      [be, 'UTF-16BE'],
    ] as const) {
      // Found to be a TLS report (it was taken for XML and refused as "not XML").
      const [item] = await unpackAll(bytes, 'tls.json');
      expect(item?.kind).toBe('tls');
      const report = await parseTlsReport(bytes);
      expect(report.organizationName).toBe('Example TLS Reporter');
      expect(report.warnings).toEqual([{ code: 'json-encoding', count: 1, example: encoding }]);
    }
  });

  it('keeps unknown values and coerces wrong types, with warnings', async () => {
    const json = JSON.parse(fixture('tls.json').toString());
    json.policies[0].policy['policy-type'] = 'dane-ish';
    json.policies[0].policy['policy-string'] = 'version: STSv1';
    json.policies[0].summary['total-successful-session-count'] = '100';
    const report = await parseTlsReport(JSON.stringify(json));
    expect(report.policies[0]).toMatchObject({
      policyType: 'dane-ish',
      policyString: ['version: STSv1'],
      totalSuccessfulSessionCount: 100,
    });
    expect(report.warnings.map((w) => w.code)).toEqual([
      'tls-unknown-value',
      'tls-type-coerced',
      'tls-type-coerced',
    ]);
  });

  it.each([
    ['not json', 'tls-not-json', (j: Record<string, unknown>) => j],
    [
      'no organization',
      'tls-invalid-report',
      (j: Record<string, unknown>) => ({ ...j, 'organization-name': undefined }),
    ],
    [
      'bad date',
      'tls-invalid-report',
      (j: Record<string, unknown>) => ({ ...j, 'date-range': { 'start-datetime': 'x' } }),
    ],
    ['policies not a list', 'tls-invalid-report', (j: Record<string, unknown>) => ({ ...j, policies: {} })],
    [
      'negative count',
      'tls-invalid-report',
      (j: Record<string, unknown>) => ({
        ...j,
        policies: [{ policy: { 'policy-type': 'sts' }, summary: { 'total-failure-session-count': -1 } }],
      }),
    ],
  ])('rejects %s', async (label, code, change) => {
    const json = JSON.parse(fixture('tls.json').toString());
    const input = label === 'not json' ? '{"organization-name": ' : JSON.stringify(change(json));
    await expect(parseTlsReport(input)).rejects.toMatchObject({ code });
  });
});
