/**
 * Mutation fuzzing of what fuzz.test.ts leaves whole: the containers themselves (gzip headers
 * with every optional field, zips of several entries with names in legacy encodings, mails of
 * nested multiparts in every transfer encoding), edited after they were made and nested in one
 * another, read under small limits; and failure reports (ARF) whose fields and original headers
 * come in odd charsets. Whatever the bytes: only a bug throws, a case takes bounded time, the
 * limits hold, and a report streamed out of its container reads as it does held whole.
 * SUMI_FUZZ_SEED and SUMI_FUZZ_RUNS run a longer campaign, as for fuzz.test.ts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/ingest/read.ts';
import { parseAggregateReport, parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { parseFailureReport } from '../../src/reports/failure.ts';
import { decodeEncodedWords, legacyHeaderText } from '../../src/reports/mail.ts';
import type { AggregateRecord, FailureReport } from '../../src/reports/types.ts';
import { type UnpackLimits, unpack } from '../../src/reports/unpack.ts';
import { gz, zip } from './fixtures/build.ts';
import { applyEdits, type Edit, edit, expectReportError, fuzzSettings, outcome } from './fixtures/fuzz.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** What one case may take, however slow the machine: reading a few KB is a few ms. */
const CASE_MAX_MS = 3_000;

const CONTENTS = [
  ...['rfc7489.xml', 'rfc9990.xml', 'quirks.xml', 'tls.json', 'arf.eml', 'arf-base64.eml'].map(fixture),
  Buffer.from('not a report at all\r\n'),
  Buffer.alloc(0),
];

// ---------------------------------------------------------------- containers

/** A container one layer adds around the bytes inside it. */
type Layer =
  | { kind: 'gzip'; flags: number; members: 1 | 2 }
  | { kind: 'zip'; others: number; store: boolean; legacyName: boolean }
  | { kind: 'mail'; encoding: TransferEncoding; nested: boolean; charset: number };

type TransferEncoding = 'base64' | 'quoted-printable' | '7bit' | '8bit' | 'binary' | 'x-uuencode';

/** Charset labels a part may carry, known or not, right or wrong. */
const CHARSETS = [
  'utf-8',
  'iso-8859-1',
  'shift_jis',
  'euc-jp',
  'iso-2022-jp',
  'utf-7',
  'x-unknown',
  'replacement',
];

const layer: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({
    kind: fc.constant('gzip' as const),
    flags: fc.nat(0x1f),
    members: fc.constantFrom<1 | 2>(1, 2),
  }),
  fc.record({
    kind: fc.constant('zip' as const),
    others: fc.nat(3),
    store: fc.boolean(),
    legacyName: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('mail' as const),
    encoding: fc.constantFrom<TransferEncoding>(
      'base64',
      'quoted-printable',
      '7bit',
      '8bit',
      'binary',
      'x-uuencode',
    ),
    nested: fc.boolean(),
    charset: fc.nat(CHARSETS.length - 1),
  }),
);

/** A gzip member with the header fields `flags` asks for (FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT). */
function gzipMember(data: Buffer, flags: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]);
  const fields: Buffer[] = [header];
  if (flags & 0x04) fields.push(Buffer.from([6, 0, 0x41, 0x70, 2, 0, 1, 2]));
  if (flags & 0x08) fields.push(Buffer.from('report.xml\0', 'latin1'));
  if (flags & 0x10) fields.push(Buffer.from('a comment \xe9\0', 'latin1'));
  if (flags & 0x02) {
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(Buffer.concat(fields)) & 0xffff);
    fields.push(crc);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([...fields, deflateRawSync(data), trailer]);
}

/** レポート.xml in Shift_JIS, as Japanese Windows names a zip entry. */
const SJIS_NAME = Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67, 0x2e, 0x78, 0x6d, 0x6c]);

function wrapIn(bytes: Buffer, with_: Layer): Buffer {
  if (with_.kind === 'gzip') {
    if (with_.members === 1) return gzipMember(bytes, with_.flags);
    const half = bytes.length >> 1;
    return Buffer.concat([
      gzipMember(bytes.subarray(0, half), with_.flags),
      gzipMember(bytes.subarray(half), 0),
    ]);
  }
  if (with_.kind === 'zip') {
    const others = Array.from({ length: with_.others }, (_, i) => ({
      name: `other-${i}.xml`,
      data: i % 2 === 0 ? fixture('rfc9990.xml') : gz(fixture('rfc7489.xml')),
      store: i % 2 === 1,
    }));
    const name = 'report.bin';
    return zip([
      with_.legacyName
        ? { name, rawName: SJIS_NAME, data: bytes, store: with_.store }
        : { name, data: bytes, store: with_.store },
      ...others,
    ]);
  }
  return mimeMail(bytes, with_.encoding, with_.nested, CHARSETS[with_.charset]!);
}

/** A mail carrying the bytes as an attachment in `encoding`, inside an alternative part when `nested`. */
function mimeMail(bytes: Buffer, encoding: TransferEncoding, nested: boolean, charset: string): Buffer {
  const part = Buffer.concat([
    Buffer.from(
      `Content-Type: application/octet-stream; name="r\xe9port.bin"; charset=${charset}\r\n` +
        `Content-Disposition: attachment; filename*=${charset}''r%E9port.bin\r\n` +
        `Content-Transfer-Encoding: ${encoding}\r\n\r\n`,
      'latin1',
    ),
    encoded(bytes, encoding),
    Buffer.from('\r\n'),
  ]);
  const inner = nested
    ? Buffer.concat([
        Buffer.from(
          'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n--inner\r\n' +
            `Content-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nR=E9sum=\r\n=E9\r\n--inner\r\n`,
          'latin1',
        ),
        part,
        Buffer.from('--inner--\r\n'),
      ])
    : part;
  return Buffer.concat([
    Buffer.from(
      'From: reports@reporter.example\r\nSubject: =?iso-2022-jp?B?GyRCJWwlXSE8JUgbKEI=?= Report Domain: example.jp\r\n' +
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n' +
        '--outer\r\nContent-Type: text/plain\r\n\r\nA report.\r\n--outer\r\n',
    ),
    inner,
    Buffer.from('--outer--\r\n'),
  ]);
}

function encoded(bytes: Buffer, encoding: TransferEncoding): Buffer {
  if (encoding === 'base64') return Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n'));
  if (encoding === 'quoted-printable') {
    let out = '';
    let line = 0;
    for (const byte of bytes) {
      const piece =
        byte >= 0x21 && byte <= 0x7e && byte !== 0x3d
          ? String.fromCharCode(byte)
          : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (line + piece.length > 75) {
        out += '=\r\n';
        line = 0;
      }
      out += piece;
      line += piece.length;
    }
    return Buffer.from(out);
  }
  if (encoding === 'x-uuencode') {
    const lines = ['begin 644 report.bin'];
    for (let at = 0; at < bytes.length; at += 45) {
      const chunk = bytes.subarray(at, at + 45);
      let line = String.fromCharCode(32 + chunk.length);
      for (let i = 0; i < chunk.length; i += 3) {
        const [a = 0, b = 0, c = 0] = chunk.subarray(i, i + 3);
        for (const six of [a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63])
          line += String.fromCharCode(six === 0 ? 96 : 32 + six);
      }
      lines.push(line);
    }
    lines.push('`', 'end');
    return Buffer.from(lines.join('\r\n'));
  }
  return bytes;
}

/** Small limits, so that a few KB of input can go past each of them. */
const limits: fc.Arbitrary<UnpackLimits> = fc.record({
  maxInputBytes: fc.integer({ min: 1_024, max: 1_000_000 }),
  maxDepth: fc.integer({ min: 1, max: 6 }),
  maxPayloads: fc.integer({ min: 1, max: 6 }),
  maxZipEntries: fc.integer({ min: 1, max: 5 }),
  maxMailParts: fc.integer({ min: 1, max: 8 }),
  maxPayloadBytes: fc.integer({ min: 256, max: 16_384 }),
  maxTotalBytes: fc.integer({ min: 256, max: 32_768 }),
  maxRatio: fc.integer({ min: 2, max: 300 }),
  ratioFloorBytes: fc.integer({ min: 64, max: 8_192 }),
});

/** The content, wrapped layer by layer (the first innermost), each layer's bytes then edited. */
const nestedInput = fc
  .record({
    content: fc.nat(CONTENTS.length - 1),
    layers: fc.array(fc.record({ layer, edits: fc.array(edit, { maxLength: 2 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ content, layers }) =>
    layers.reduce(
      (bytes, { layer: with_, edits }: { layer: Layer; edits: Edit[] }) =>
        applyEdits(wrapIn(bytes, with_), edits),
      CONTENTS[content] as Buffer,
    ),
  );

/** What reading one item of an input came to: refused, a report read (its records), or another kind. */
type ItemOutcome = { refused: true } | { kind: string; report?: unknown };

/** Refusals at a limit, where reading streamed and whole may stop apart (see the property). */
const LIMITS_MET = new Set(['too-many-payloads', 'decompressed-too-large', 'decompression-ratio-exceeded']);

/** Whether an item was decompressed out of a gzip or a zip (not decoded out of a mail: no limit's business). */
const inflated = (provenance: string) => / > (gunzip|entry [^>]*)$/.test(provenance);

/** The items of an input, each read at once as ingest reads it (a stream before the next item is unpacked). */
async function readAll(
  input: Buffer,
  options: Parameters<typeof unpack>[2],
): Promise<{
  outcomes: ItemOutcome[];
  decompressed: number[];
  depths: number[];
  atLimit: boolean;
}> {
  const outcomes: ItemOutcome[] = [];
  const decompressed: number[] = [];
  const depths: number[] = [];
  let atLimit = false;
  for await (const item of unpack(input, 'in.bin', options)) {
    depths.push(item.provenance.split(' > ').length - 1);
    if (item.kind === 'error') {
      expectReportError(item.error);
      atLimit ||= LIMITS_MET.has(item.error.code);
      outcomes.push({ refused: true });
      continue;
    }
    if (item.kind !== 'aggregate') {
      if (inflated(item.provenance)) decompressed.push(item.bytes.length);
      outcomes.push({ kind: item.kind });
      continue;
    }
    const records: AggregateRecord[] = [];
    let size = 0;
    const read = await outcome(async () => {
      if (!item.stream) return parseAggregateReportToObject(item.bytes);
      const counted = async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          yield chunk;
        }
      };
      const report = await parseAggregateReport(counted(item.stream.open()), {
        onRecord: (record) => void records.push(record),
      });
      return { ...report, records };
    });
    if (inflated(item.provenance)) decompressed.push(item.stream ? size : item.bytes.length);
    if ('refused' in read) {
      atLimit ||= LIMITS_MET.has(read.refused.code);
      outcomes.push({ refused: true });
      continue;
    }
    const warnings = [...read.report.warnings, ...item.warnings].map((w) => JSON.stringify(w)).sort();
    outcomes.push({ kind: 'aggregate', report: { ...read.report, warnings } });
  }
  return { outcomes, decompressed, depths, atLimit };
}

describe('fuzzing the containers', () => {
  it('reads edited, nested gzip, zip and mail under small limits: nothing thrown, limits kept, streamed as whole', async () => {
    await fc.assert(
      fc.asyncProperty(nestedInput, limits, async (input, caps) => {
        const started = performance.now();
        const whole = await readAll(input, { limits: caps });
        const streamed = await readAll(input, { limits: caps, streamAbove: 0 });
        expect(performance.now() - started).toBeLessThan(CASE_MAX_MS);
        for (const read of [whole, streamed]) {
          const payloads = read.outcomes.filter((o) => !('refused' in o)).length;
          expect(payloads).toBeLessThanOrEqual(caps.maxPayloads);
          for (const size of read.decompressed) expect(size).toBeLessThanOrEqual(caps.maxPayloadBytes);
          expect(read.decompressed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(caps.maxTotalBytes);
          for (const depth of read.depths) expect(depth).toBeLessThanOrEqual(caps.maxDepth + 1);
        }
        // At a limit the two may stop apart: a damaged gzip streamed is a payload until read, so
        // counts toward the payloads' limit, where held whole it was an error that does not; and a
        // stream charges the budget what it inflated by 64 KiB chunks, a gzip held whole by member.
        if (!whole.atLimit && !streamed.atLimit) expect(streamed.outcomes).toEqual(whole.outcomes);
      }),
      fuzzSettings(0.15),
    );
  });

  it('reads them through readMessage into parts, in both languages when refused', async () => {
    await fc.assert(
      fc.asyncProperty(nestedInput, fc.boolean(), async (input, streamed) => {
        const started = performance.now();
        const options = { parseAggregates: 'sqlite' as const, ...(streamed ? { streamAbove: 0 } : {}) };
        for await (const part of readMessage(input, 'in.bin', 'in.bin', options)) {
          if (part.kind === 'damaged' || part.kind === 'unknown') expectReportError(part.error);
          if (part.kind === 'failure') expectSoundFailure(part.report);
        }
        expect(performance.now() - started).toBeLessThan(CASE_MAX_MS);
      }),
      fuzzSettings(0.15),
    );
  });
});

// ---------------------------------------------------------------- failure reports

/** レポート in the legacy encodings Japanese mailers write raw, and Grüße in Latin-1. */
const LEGACY_TEXT: Record<string, Buffer> = {
  shift_jis: Buffer.from([0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67]),
  'euc-jp': Buffer.from([0xa5, 0xec, 0xa5, 0xdd, 0xa1, 0xbc, 0xa5, 0xc8]),
  'iso-2022-jp': Buffer.from('\x1b$B%l%]!<%H\x1b(B', 'latin1'),
  'iso-8859-1': Buffer.from('Gr\xfc\xdfe', 'latin1'),
  'utf-8': Buffer.from('レポート'),
};
const LEGACY = Object.keys(LEGACY_TEXT);

/** How the original message comes: whole, its headers only, or pasted into the report's text. */
type OriginalForm = 'message' | 'headers' | 'inline';

const failureInput = fc.record({
  written: fc.nat(LEGACY.length - 1),
  /** The charset a label says, which may not be the one written. */
  labelled: fc.nat(CHARSETS.length - 1),
  form: fc.constantFrom<OriginalForm>('message', 'headers', 'inline'),
  base64: fc.boolean(),
  port: fc.constantFrom('25', '65535', '65536', '99999', '0', '-1', ''),
  incidents: fc.constantFrom('1', '0', '9007199254740993', '1e3', ''),
  ip: fc.constantFrom(
    '192.0.2.1',
    '2001:db8::1 (host.example)',
    '::ffff:192.0.2.1',
    '999.1.1.1',
    '[192.0.2.1]',
  ),
  date: fc.constantFrom('Tue, 14 Nov 2023 09:59:58 +0000', 'Tue, 14 Nov 2023 09:59:58 JST', '2023-11-14', ''),
  edits: fc.array(edit, { maxLength: 4 }),
});

function failureMail(c: FailureCase): Buffer {
  const text = LEGACY_TEXT[LEGACY[c.written]!]!;
  const label = CHARSETS[c.labelled]!;
  const originalHeaders = Buffer.concat([
    Buffer.from('Received: from spoof ([192.0.2.1]) by mx.receiver.example\r\nFrom: "'),
    text,
    Buffer.from('" <alerts@sender.example>\r\nTo: xxxx@receiver.example\r\nSubject: '),
    text,
    Buffer.from(
      ` =?${label}?B?${text.toString('base64')}?= =?${label}?Q?=E9=?=\r\n` +
        `Content-Type: text/plain; charset=${label}\r\nMessage-ID: <o@spoof.invalid>\r\n`,
    ),
  ]);
  const fields = [
    'Feedback-Type: auth-failure',
    'User-Agent: Fuzz/1.0',
    'Version: 1',
    `Source-IP: ${c.ip}`,
    `Source-Port: ${c.port}`,
    `Incidents: ${c.incidents}`,
    `Arrival-Date: ${c.date}`,
    'Reported-Domain: sender.example',
    'Original-Mail-From: <bounce@sender.example>',
    'Auth-Failure: dmarc',
  ].join('\r\n');
  const arf = c.base64
    ? `Content-Type: message/feedback-report\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(fields).toString('base64')}\r\n`
    : `Content-Type: message/feedback-report\r\n\r\n${fields}\r\n`;
  const description =
    c.form === 'inline'
      ? Buffer.concat([Buffer.from('A failure report.\r\n\r\n'), originalHeaders])
      : Buffer.from('A failure report.\r\n');
  const original =
    c.form === 'message'
      ? Buffer.concat([
          Buffer.from('--b\r\nContent-Type: message/rfc822\r\n\r\n'),
          originalHeaders,
          Buffer.from('\r\nLog in at https://phish.invalid/login today.\r\n'),
        ])
      : c.form === 'headers'
        ? Buffer.concat([
            Buffer.from(`--b\r\nContent-Type: text/rfc822-headers; charset=${label}\r\n\r\n`),
            originalHeaders,
          ])
        : Buffer.alloc(0);
  const mail = Buffer.concat([
    Buffer.from(
      'From: feedback@receiver.example\r\nSubject: DMARC failure report\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\r\n\r\n' +
        `--b\r\nContent-Type: text/plain; charset=${label}\r\n\r\n`,
    ),
    description,
    Buffer.from(`\r\n--b\r\n${arf}`),
    original,
    Buffer.from('\r\n--b--\r\n'),
  ]);
  return applyEdits(mail, c.edits);
}

type FailureCase = typeof failureInput extends fc.Arbitrary<infer T> ? T : never;

/** What a stored failure report may rely on: numbers in range, addresses that are addresses, caps kept. */
function expectSoundFailure(report: FailureReport): void {
  if (report.sourceIp !== null) expect(isIP(report.sourceIp)).not.toBe(0);
  if (report.sourcePort !== null) expect(report.sourcePort >= 0 && report.sourcePort <= 65_535).toBe(true);
  if (report.incidents !== null)
    expect(Number.isSafeInteger(report.incidents) && report.incidents >= 0).toBe(true);
  if (report.arrivalTime !== null) expect(Number.isSafeInteger(report.arrivalTime)).toBe(true);
  expect(report.description?.length ?? 0).toBeLessThanOrEqual(4_096);
  expect(report.original?.body?.length ?? 0).toBeLessThanOrEqual(65_536);
  expect(report.original?.urls.length ?? 0).toBeLessThanOrEqual(100);
}

describe('fuzzing failure reports', () => {
  it('reads an ARF with fields and original headers in any charset, edited, into a sound report or a ReportError', async () => {
    await fc.assert(
      fc.asyncProperty(failureInput, async (c) => {
        const bytes = failureMail(c);
        const started = performance.now();
        const read = await outcome(() => parseFailureReport(bytes));
        expect(performance.now() - started).toBeLessThan(CASE_MAX_MS);
        if ('report' in read) expectSoundFailure(read.report);
      }),
      fuzzSettings(0.3),
    );
  });

  it('decodes any header text, raw or in encoded words, without throwing', () => {
    const headerText = fc
      .array(
        fc.oneof(
          fc.constantFrom(...Object.values(LEGACY_TEXT).map((b) => b.toString('latin1'))),
          fc.constantFrom(
            '=?',
            '?=',
            '?B?',
            '?Q?',
            '=E9',
            '_',
            ' ',
            '\r\n ',
            '\ufffd',
            '\x1b$B',
            '\x1b(B',
            'name="',
          ),
          fc.constantFrom(...CHARSETS).map((label) => `=?${label}*ja?B?`),
          fc.string({ maxLength: 8 }),
        ),
        { maxLength: 12 },
      )
      .map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(headerText, headerText, (value, mailText) => {
        const started = performance.now();
        decodeEncodedWords(value);
        const mail = Buffer.from(
          `Subject: ${mailText}\r\nContent-Type: text/plain; name="${mailText}"\r\n\r\n`,
          'latin1',
        );
        legacyHeaderText(mail, value);
        legacyHeaderText(mail, Buffer.from(mailText, 'latin1').toString('utf8'), 'shift_jis');
        expect(performance.now() - started).toBeLessThan(CASE_MAX_MS);
      }),
      fuzzSettings(0.5),
    );
  });
});
