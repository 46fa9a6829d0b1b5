/** Mail headers written raw in Japanese legacy encodings (not RFC 2047/2231), read as meant. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, legacyHeaderText, parseMail } from '../../src/reports/mail.ts';
import { unpackAll } from '../../src/reports/unpack.ts';

const XML =
  '<?xml version="1.0"?><feedback><report_metadata><org_name>x</org_name><email>a@b.example</email>' +
  '<report_id>1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>' +
  '</report_metadata><policy_published><domain>example.jp</domain><p>none</p></policy_published>' +
  '<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition>' +
  '<dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.jp</header_from>' +
  '</identifiers><auth_results><spf><domain>example.jp</domain><result>pass</result></spf></auth_results></record></feedback>';

/** レポート.xml.gz in each encoding, as a mailer writes it into the header raw. */
const NAMES = {
  shiftJis: Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67, ...Buffer.from('.xml.gz')]),
  eucJp: Buffer.from([0xa5, 0xec, 0xa5, 0xdd, 0xa1, 0xbc, 0xa5, 0xc8, ...Buffer.from('.xml.gz')]),
  iso2022jp: Buffer.from('\u001b$B%l%]!<%H\u001b(B.xml.gz', 'latin1'),
};

/** A report mail whose attachment is named with these raw bytes, and whose Subject is `subject`. */
function mailNamed(name: Buffer, subject: Buffer = Buffer.from('Report')): Buffer {
  return Buffer.concat([
    Buffer.from('From: a@b.example\r\nTo: d@example.jp\r\nSubject: '),
    subject,
    Buffer.from('\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'),
    Buffer.from(
      '--XX\r\nContent-Type: text/plain\r\n\r\nThe report.\r\n--XX\r\nContent-Type: application/gzip; name="',
    ),
    name,
    Buffer.from('"\r\nContent-Disposition: attachment; filename="'),
    name,
    Buffer.from('"\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
    Buffer.from(`${gzipSync(XML).toString('base64')}\r\n--XX--\r\n`),
  ]);
}

describe('raw Japanese header text', () => {
  it.each(Object.entries(NAMES))('reads an attachment name written raw in %s', async (_, name) => {
    const items = await unpackAll(mailNamed(name), 'm.eml');
    expect(items.map((i) => [i.kind, i.provenance])).toEqual([
      ['aggregate', 'm.eml > attachment 1 レポート.xml.gz > gunzip'],
    ]);
  });

  it('reads a Subject written raw in Shift_JIS', async () => {
    const subject = Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67, ...Buffer.from(' 2026')]);
    const parsed = await parseMail(mailNamed(Buffer.from('r.xml.gz'), subject));
    expect(parsed.summary.subject).toBe('レポート 2026');
  });

  it("reads a folded raw Subject from the mail's header, not from a body line of the same shape", async () => {
    const reportSjis = '\x83\x8c\x83\x7c\x81\x5b\x83\x67'; // レポート
    const otherSjis = '\x83\x8d\x83\x7c\x81\x5b\x83\x67'; // ロポート: the same shape
    const mail = Buffer.from(
      `From: a@example.jp\r\nSubject: Report\r\n ${reportSjis}\r\nContent-Type: text/plain\r\n\r\n` +
        `Forwarded below.\r\nSubject: Report ${otherSjis}\r\n`,
      'latin1',
    );
    const parsed = await parseMail(mail);
    expect(parsed.summary.subject).toBe('Report レポート');
  });

  it('reads a raw Subject and attachment name in the charset the mail names, before guessing Japanese', async () => {
    // "Grüße" in Latin-1: ü and ß are also one EUC-JP kanji (館), which it was read as.
    const latin = Buffer.from('Gr\u00fc\u00dfe', 'latin1');
    const mail = Buffer.from(
      mailNamed(Buffer.from('Bericht f\u00fcr M\u00fcller.xml.gz', 'latin1'), latin)
        .toString('latin1')
        .replace('Content-Type: text/plain', 'Content-Type: text/plain; charset=ISO-8859-1'),
      'latin1',
    );
    const parsed = await parseMail(mail);
    expect(parsed.summary.subject).toBe('Gr\u00fc\u00dfe');
    expect(parsed.email.attachments[0]?.filename).toBe('Bericht f\u00fcr M\u00fcller.xml.gz');
    // A charset the bytes are not in (ISO-2022-JP is 7-bit) is passed over for Shift_JIS.
    const sjis = Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67]);
    const japanese = Buffer.from(
      mailNamed(Buffer.from('r.xml.gz'), sjis)
        .toString('latin1')
        .replace('Content-Type: text/plain', 'Content-Type: text/plain; charset=ISO-2022-JP'),
      'latin1',
    );
    expect((await parseMail(japanese)).summary.subject).toBe('\u30ec\u30dd\u30fc\u30c8');
  });

  it('reads a raw Subject of UTF-8 broken by stray bytes at once, however many breaks it has', async () => {
    // Found by fuzzing: レポ, then 30 times a stray byte and ポ. Each break made a pattern of the
    // text try nearly twice as many ways to place it (4 s for 30, hours for 45) before it matched.
    const broken = Buffer.from([0xe3, 0x83, ...Array<number[]>(30).fill([0xac, 0xe3, 0x83, 0x9d]).flat()]);
    const mail = Buffer.concat([
      Buffer.from('From: a@b.example\r\nSubject: '),
      broken,
      Buffer.from(' x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n'),
    ]);
    const started = performance.now();
    const parsed = await parseMail(mail);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(parsed.summary.subject).toBe(`レポ${'\ufffdポ'.repeat(29)} x`);
  });

  it('leaves text alone that is whole, or whose bytes no encoding takes, or that no header holds', () => {
    const mail = mailNamed(Buffer.from([0x72, 0xff, 0xfe, 0x2e, 0x78, 0x6d, 0x6c]));
    expect(legacyHeaderText(mail, 'report.xml')).toBe('report.xml');
    // 0xFF 0xFE is neither Shift_JIS nor EUC-JP.
    expect(legacyHeaderText(mail, 'r\ufffd\ufffd.xml')).toBe('r\ufffd\ufffd.xml');
    // 8-bit text of the same shape in a body is not taken for the header's.
    const body = Buffer.from('Subject: x\r\n\r\nnote: \x83\x8c.txt\r\n', 'latin1');
    expect(legacyHeaderText(body, '\ufffd\ufffd.txt')).toBe('\ufffd\ufffd.txt');
  });
});

describe('decodeEncodedWords', () => {
  it('decodes B and Q words, adjacent ones together, and leaves a charset not known as it came', () => {
    expect(decodeEncodedWords('=?ISO-2022-JP?B?GyRCOzBJKTZkOVQbKEI=?= <***@sender.example>')).toBe(
      '三菱銀行 <***@sender.example>',
    );
    // The two words split the bytes of 重 (E9 87 8D) between them.
    expect(decodeEncodedWords('=?UTF-8?Q?Caf=C3=A9_=E9?= =?utf-8?Q?=87=8D?= <a@b.example>')).toBe(
      'Café 重 <a@b.example>',
    );
    expect(decodeEncodedWords('=?x-unknown?B?AAAA?= <a@b.example>')).toBe(
      '=?x-unknown?B?AAAA?= <a@b.example>',
    );
    expect(decodeEncodedWords('Plain <a@b.example>')).toBe('Plain <a@b.example>');
  });
});
