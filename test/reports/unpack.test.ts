import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecompressionBudget } from '../../src/reports/budget.ts';
import { ReportError } from '../../src/reports/errors.ts';
import { gunzipChunks } from '../../src/reports/gzip.ts';
import {
  MAIL_MAX_PARTS,
  type Payload,
  parseAggregateReportToObject,
  UNPACK_MAX_DEPTH,
  UNPACK_MAX_INPUT_BYTES,
  UNPACK_MAX_PAYLOAD_BYTES,
  UNPACK_MAX_PAYLOADS,
  UNPACK_MAX_RATIO,
  UNPACK_MAX_TOTAL_BYTES,
  type Unpacked,
  type UnpackFailure,
  unpackAll,
  ZIP_MAX_ENTRIES,
} from '../../src/reports/index.ts';
import { sniff } from '../../src/reports/sniff.ts';
import { Warnings } from '../../src/reports/warnings.ts';
import { zipEntries } from '../../src/reports/zip.ts';
import { aggregateXml, gz, mail, singlePartMail, zip } from './fixtures/build.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const xml = Buffer.from(aggregateXml());
const tlsJson = fixture('tls.json');

const payloads = (items: Unpacked[]) => items.filter((i): i is Payload => i.kind !== 'error');
const failures = (items: Unpacked[]) => items.filter((i): i is UnpackFailure => i.kind === 'error');
const summary = (items: Unpacked[]) =>
  items.map((i) =>
    i.kind === 'error' ? `error ${i.error.code} @ ${i.provenance}` : `${i.kind} @ ${i.provenance}`,
  );

describe('unpack: plain files and gzip', () => {
  it('sniffs XML, JSON and anything else, and hashes the raw bytes', async () => {
    const items = await unpackAll(xml, 'r.xml');
    expect(summary(items)).toEqual(['aggregate @ r.xml']);
    expect((items[0] as Payload).sha256).toBe(createHash('sha256').update(xml).digest('hex'));
    expect(summary(await unpackAll(tlsJson, 't.json'))).toEqual(['tls @ t.json']);
    expect(summary(await unpackAll(Buffer.from('\x89PNG\r\n'), 'logo.png'))).toEqual(['unknown @ logo.png']);
  });

  // Markup is judged from its first bytes (markupStart), as the text of its first 16 KB judges it.
  it.each([
    ['<feedback>', 'aggregate'],
    ['\xef\xbb\xbf \t\r\n\x0b\x0c\xa0<?xml version="1.0"?><feedback>', 'aggregate'],
    ['<HTML><body>', 'unknown'],
    ['\xef\xbb\xbf<html', 'unknown'],
    ['<html5-report/>', 'aggregate'],
    ['<htmlx>', 'aggregate'],
    ['<html\xe9>', 'unknown'],
    [`<!DOCTYPE${' '.repeat(40)}html><p>`, 'unknown'],
    ['<!doctype feedback [<!ENTITY a "b">]><feedback/>', 'aggregate'],
    ['\x85<feedback>', 'unknown'],
    ['\xef\xbb\xbf\xef\xbb\xbf<feedback>', 'unknown'],
  ])('sniffs %j as %s', (start, kind) => {
    expect(sniff(Buffer.from(start, 'latin1'))).toBe(kind);
  });

  it('gunzips, whatever the name says, and double gzip', async () => {
    expect(summary(await unpackAll(gz(xml), 'report.zip'))).toEqual(['aggregate @ report.zip > gunzip']);
    const double = await unpackAll(gz(gz(xml)), 'r.xml.gz.gz');
    expect(summary(double)).toEqual(['aggregate @ r.xml.gz.gz > gunzip > gunzip']);
    expect(payloads(double)[0]?.bytes.equals(xml)).toBe(true);
    expect(payloads(double)[0]?.name).toBe('r.xml');
  });

  it('ignores bytes after the gzip member (Mimecast CRLF) and joins members, with warnings', async () => {
    const [trailing] = payloads(await unpackAll(Buffer.concat([gz(xml), Buffer.from('\r\n')]), 'a.gz'));
    expect(trailing?.bytes.equals(xml)).toBe(true);
    expect(trailing?.warnings).toEqual([{ code: 'gzip-trailing-data', count: 1, example: '2' }]);
    const half = Math.floor(xml.length / 2);
    const [joined] = payloads(
      await unpackAll(Buffer.concat([gz(xml.subarray(0, half)), gz(xml.subarray(half))]), 'b.gz'),
    );
    expect(joined?.bytes.equals(xml)).toBe(true);
    expect(joined?.warnings.map((w) => w.code)).toEqual(['gzip-multi-member']);
  });

  it('reports truncated and damaged gzip', async () => {
    const data = gz(xml);
    expect(failures(await unpackAll(data.subarray(0, data.length - 20), 'cut.gz'))[0]?.error.code).toBe(
      'gzip-truncated',
    );
    expect(failures(await unpackAll(data.subarray(0, 12), 'cut.gz'))[0]?.error.code).toBe('gzip-truncated');
    const flipped = Buffer.from(data);
    flipped.writeUInt32LE((flipped.readUInt32LE(flipped.length - 8) ^ 1) >>> 0, flipped.length - 8);
    expect(failures(await unpackAll(flipped, 'crc.gz'))[0]?.error).toMatchObject({
      code: 'gzip-corrupt',
      args: { detail: 'checksum mismatch' },
    });
  });

  it(`stops a gzip that would expand to 10 GiB at the ratio cap (UNPACK_MAX_RATIO ${UNPACK_MAX_RATIO})`, async () => {
    // 160 members of 64 MiB of zeros each: 10 GiB out of ~10 MB in. Nothing near that is allocated.
    const member = gz(Buffer.alloc(64 * 1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 160 }, () => member));
    const before = process.memoryUsage().rss;
    const [failure] = failures(await unpackAll(bomb, 'bomb.xml.gz'));
    expect(failure?.error).toMatchObject({
      code: 'decompression-ratio-exceeded',
      args: { limit: UNPACK_MAX_RATIO },
    });
    expect(process.memoryUsage().rss - before).toBeLessThan(UNPACK_MAX_TOTAL_BYTES);
  });

  it(`caps one payload at UNPACK_MAX_PAYLOAD_BYTES (${UNPACK_MAX_PAYLOAD_BYTES}) and all at UNPACK_MAX_TOTAL_BYTES (${UNPACK_MAX_TOTAL_BYTES})`, async () => {
    const big = gz(Buffer.alloc(3000, 'a'));
    const onePayload = await unpackAll(big, 'a.gz', {
      limits: { maxPayloadBytes: 2000, ratioFloorBytes: 1e9 },
    });
    expect(failures(onePayload)[0]?.error).toMatchObject({
      code: 'decompressed-too-large',
      args: { limit: 2000 },
    });
    const archive = zip([
      { name: 'a.xml', data: Buffer.alloc(3000, 'a') },
      { name: 'b.xml', data: Buffer.alloc(3000, 'b') },
    ]);
    const total = await unpackAll(archive, 'x.zip', {
      limits: { maxTotalBytes: 5000, ratioFloorBytes: 1e9 },
    });
    expect(summary(total)).toEqual([
      'unknown @ x.zip > entry a.xml',
      'error decompressed-too-large @ x.zip > entry b.xml',
    ]);
  });
});

describe('unpack: zip', () => {
  it('yields every entry, skipping directories and __MACOSX, with gzip inside', async () => {
    const archive = zip([
      { name: 'one.xml', data: xml },
      { name: '__MACOSX/._one.xml', data: 'resource fork' },
      { name: 'subfolder.xml/', data: '', store: true },
      { name: 'sub/two.xml.gz', data: gz(xml), store: true },
      { name: 'readme.txt', data: 'hello' },
    ]);
    expect(summary(await unpackAll(archive, 'r.zip'))).toEqual([
      'aggregate @ r.zip > entry one.xml',
      'aggregate @ r.zip > entry sub/two.xml.gz > gunzip',
      'unknown @ r.zip > entry readme.txt',
    ]);
  });

  it('reads entry names written without the UTF-8 flag as UTF-8, Shift_JIS, EUC-JP or CP437, as their bytes say', async () => {
    const archive = zip([
      // macOS and Linux tools: UTF-8, unflagged.
      { name: '', rawName: Buffer.from('日本/レポート.xml'), data: xml },
      // Japanese Windows: Shift_JIS (レポート), a backslash for the folder, 0x5C inside ソ (83 5C).
      {
        name: '',
        rawName: Buffer.from([
          0x83, 0x5c, 0x5c, 0x83, 0x8c, 0x83, 0x7c, 0x81, 0x5b, 0x83, 0x67, 0x2e, 0x78, 0x6d, 0x6c,
        ]),
        data: xml,
      },
      // Older Unix tools: EUC-JP (レポート), which Shift_JIS would read as half-width kana.
      {
        name: '',
        rawName: Buffer.from([
          0x65, 0x2f, 0xa5, 0xec, 0xa5, 0xdd, 0xa1, 0xbc, 0xa5, 0xc8, 0x2e, 0x78, 0x6d, 0x6c,
        ]),
        data: xml,
      },
      // CP437 (é is 0x82), not Shift_JIS: 0x82 must be followed by a second byte.
      { name: '', rawName: Buffer.from([0x72, 0x82, 0x2e, 0x78, 0x6d, 0x6c]), data: xml },
      // CP437 (ß is 0xE1), not a lone Shift_JIS kanji in a Latin word (E1 65).
      { name: '', rawName: Buffer.from('Stra\xe1e.xml', 'latin1'), data: xml },
    ]);
    expect(summary(await unpackAll(archive, 'r.zip'))).toEqual([
      'aggregate @ r.zip > entry 日本/レポート.xml',
      'aggregate @ r.zip > entry ソ/レポート.xml',
      'aggregate @ r.zip > entry e/レポート.xml',
      'aggregate @ r.zip > entry ré.xml',
      'aggregate @ r.zip > entry Straße.xml',
    ]);
  });

  it('reports an encrypted entry and still reads the others', async () => {
    const archive = zip([
      { name: 'secret.xml', data: xml, encrypted: true },
      { name: 'open.xml', data: xml },
    ]);
    expect(summary(await unpackAll(archive, 'r.zip'))).toEqual([
      'error zip-entry-encrypted @ r.zip > entry secret.xml',
      'aggregate @ r.zip > entry open.xml',
    ]);
  });

  it('reports a damaged zip', async () => {
    const archive = zip([{ name: 'a.xml', data: xml }]);
    const [failure] = failures(await unpackAll(archive.subarray(0, archive.length - 30), 'r.zip'));
    expect(failure?.error.code).toBe('zip-corrupt');
  });

  it(`refuses more than ZIP_MAX_ENTRIES (${ZIP_MAX_ENTRIES}) entries before reading any`, async () => {
    const entries = Array.from({ length: ZIP_MAX_ENTRIES + 1 }, (_, i) => ({
      name: `${i}.xml`,
      data: 'x',
      store: true,
    }));
    const [failure] = failures(await unpackAll(zip(entries), 'many.zip'));
    expect(failure?.error).toMatchObject({
      code: 'zip-too-many-entries',
      args: { count: ZIP_MAX_ENTRIES + 1, limit: ZIP_MAX_ENTRIES },
    });
  });

  it('stops a zip bomb entry by its declared size, and by its real size when the header lies', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const [declared] = failures(await unpackAll(zip([{ name: 'bomb.xml', data: zeros }]), 'bomb.zip'));
    expect(declared?.error.code).toBe('decompression-ratio-exceeded');
    // Same entry, but the directory claims 1,000 bytes: yauzl's size check or ours stops it.
    const lying = zip([{ name: 'bomb.xml', data: zeros }]);
    const directory = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(1000, directory + 24);
    lying.writeUInt32LE(1000, 22);
    const [lie] = failures(await unpackAll(lying, 'lie.zip'));
    expect(['zip-corrupt', 'decompression-ratio-exceeded']).toContain(lie?.error.code);
  });
});

describe('unpack: mail', () => {
  it('reads every attachment by content, whatever its declared type', async () => {
    const message = mail('Report Domain: sender.example Submitter: reporter.example', [
      { contentType: 'text/plain', data: 'This is a DMARC aggregate report.' },
      { contentType: 'application/octet-stream', filename: 'a.xml.gz', data: gz(xml) },
      { contentType: 'application/gzip', filename: 'b.zip', data: zip([{ name: 'b.xml', data: xml }]) },
      { contentType: 'application/x-zip-compressed', filename: 'c.xml', data: xml },
      { contentType: 'application/tlsrpt+gzip', filename: 'd.json.gz', data: gz(tlsJson) },
      { contentType: 'image/png', filename: 'logo.png', data: Buffer.from('\x89PNG\r\n\x1a\n') },
    ]);
    const items = await unpackAll(message, 'mail.eml');
    expect(summary(items)).toEqual([
      'aggregate @ mail.eml > attachment 1 a.xml.gz > gunzip',
      'aggregate @ mail.eml > attachment 2 b.zip > entry b.xml',
      'aggregate @ mail.eml > attachment 3 c.xml',
      'tls @ mail.eml > attachment 4 d.json.gz > gunzip',
      'unknown @ mail.eml > attachment 5 logo.png',
    ]);
    expect(payloads(items)[0]?.mail).toEqual({
      from: 'reports@reporter.example',
      subject: 'Report Domain: sender.example Submitter: reporter.example',
      date: '2024-01-01T00:00:00.000Z',
      messageId: '<test@reporter.example>',
    });
  });

  it('reads a report that is the whole body of the mail, and XML pasted as the text body', async () => {
    expect(summary(await unpackAll(singlePartMail('application/gzip', gz(xml)), 'body.eml'))).toEqual([
      'aggregate @ body.eml > attachment 1 application/gzip > gunzip',
    ]);
    const pasted = mail('Report', [{ contentType: 'text/plain', data: aggregateXml() }]);
    expect(summary(await unpackAll(pasted, 'pasted.eml'))).toEqual(['aggregate @ pasted.eml > body']);
  });

  it('reads XML pasted as a Latin-1 text body whose declaration names Latin-1 once, not twice', async () => {
    const xml = aggregateXml()
      .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>')
      .replace('Builder', 'Soci\u00e9t\u00e9');
    const sent = Buffer.concat([
      Buffer.from(
        'From: r@reporter.example\nSubject: Report\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n',
      ),
      Buffer.from(xml, 'latin1'),
    ]);
    const [item] = payloads(await unpackAll(sent, 'pasted.eml'));
    const report = await parseAggregateReportToObject(item!.bytes);
    expect(report.reporter.orgName).toBe('Soci\u00e9t\u00e9');
  });

  it('reads inline parts and forwarded report mails', async () => {
    const inner = mail('Report Domain: sender.example', [
      { contentType: 'application/zip', data: zip([{ name: 'a.xml', data: xml }]), disposition: 'inline' },
    ]);
    const forwarded = mail('Fwd: report', [
      { contentType: 'text/plain', data: 'see attached' },
      { contentType: 'message/rfc822', data: inner, filename: 'original.eml' },
    ]);
    expect(summary(await unpackAll(forwarded, 'fwd.eml'))).toEqual([
      'aggregate @ fwd.eml > attachment 1 original.eml > attachment 1 application/zip > entry a.xml',
    ]);
  });

  it('yields a failure report mail whole, without opening the original message it carries', async () => {
    const items = await unpackAll(fixture('arf.eml'), 'ruf.eml');
    expect(summary(items)).toEqual(['failure @ ruf.eml']);
    expect(summary(await unpackAll(fixture('plain.eml'), 'plain.eml'))).toEqual(['failure @ plain.eml']);
  });

  it('says when a mail holds no report', async () => {
    const items = await unpackAll(
      mail('Hello', [{ contentType: 'text/plain', data: 'just words' }]),
      'hi.eml',
    );
    expect(summary(items)).toEqual(['error no-report-found @ hi.eml']);
    expect(failures(items)[0]?.bytes.length).toBeGreaterThan(0);
  });

  it(`refuses a mail with more than MAIL_MAX_PARTS (${MAIL_MAX_PARTS}) parts: 100,000 attachments`, async () => {
    const parts = Array.from({ length: 100_000 }, (_, i) => ({
      contentType: 'application/gzip',
      filename: `${i}.gz`,
      data: 'x',
    }));
    const started = performance.now();
    const [failure] = failures(await unpackAll(mail('many', parts), 'many.eml'));
    expect(failure?.error).toMatchObject({ code: 'mail-too-many-parts', args: { limit: MAIL_MAX_PARTS } });
    expect(Number(failure?.error.args.count)).toBeGreaterThanOrEqual(100_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('unpack: limits on the whole input', () => {
  it(`caps nesting at UNPACK_MAX_DEPTH (${UNPACK_MAX_DEPTH})`, async () => {
    let nested: Buffer = xml;
    for (let i = 0; i < UNPACK_MAX_DEPTH; i++) nested = gz(nested);
    expect(summary(await unpackAll(nested, 'n'))).toEqual([
      `aggregate @ n${' > gunzip'.repeat(UNPACK_MAX_DEPTH)}`,
    ]);
    const [failure] = failures(await unpackAll(gz(nested), 'n'));
    expect(failure?.error).toMatchObject({ code: 'nesting-too-deep', args: { limit: UNPACK_MAX_DEPTH } });
  });

  it(`caps the input at UNPACK_MAX_INPUT_BYTES (${UNPACK_MAX_INPUT_BYTES}) and payloads at UNPACK_MAX_PAYLOADS (${UNPACK_MAX_PAYLOADS})`, async () => {
    const [tooBig] = failures(await unpackAll(xml, 'r.xml', { limits: { maxInputBytes: 100 } }));
    expect(tooBig?.error).toMatchObject({ code: 'input-too-large', args: { size: xml.length, limit: 100 } });
    const archive = zip(Array.from({ length: 4 }, (_, i) => ({ name: `${i}.xml`, data: xml })));
    const items = await unpackAll(archive, 'r.zip', { limits: { maxPayloads: 3 } });
    expect(summary(items).at(-1)).toBe('error too-many-payloads @ r.zip');
    expect(payloads(items)).toHaveLength(3);
    expect(failures(await unpackAll(Buffer.alloc(0), 'empty'))[0]?.error.code).toBe('empty-input');
  });

  it('does not mistake a deflate stream of XML for anything but unknown', async () => {
    expect(summary(await unpackAll(deflateRawSync(xml), 'raw'))).toEqual(['unknown @ raw']);
  });
});

/** A budget of 1,000,000 bytes, payload and total alike, to count a container's charges against. */
const BUDGET_LIMITS = {
  maxPayloadBytes: 1_000_000,
  maxTotalBytes: 1_000_000,
  maxRatio: 250,
  ratioFloorBytes: 1024 * 1024,
};

describe('the decompression budget of gzip streams', () => {
  it('charges what a stream inflated when its reading stops short, as when it was read to the end', async () => {
    // Found by fuzzing: a streamed report whose XML was refused (or whose gzip was damaged at its
    // end) was never charged, so an input's streams could each inflate a payload's limit.
    const stopped = new DecompressionBudget(BUDGET_LIMITS);
    for await (const chunk of gunzipChunks(gz(Buffer.alloc(300_000, 'a')), stopped, new Warnings())) {
      expect(chunk.length).toBe(65_536);
      break;
    }
    expect(stopped.remaining().bytes).toBe(1_000_000 - 65_536);
    const damaged = gz(Buffer.alloc(100_000, 'a'));
    damaged[damaged.length - 8]! ^= 1; // the CRC
    const failed = new DecompressionBudget(BUDGET_LIMITS);
    await expect(async () => {
      for await (const _ of gunzipChunks(damaged, failed, new Warnings()));
    }).rejects.toThrow(ReportError);
    expect(failed.remaining().bytes).toBe(1_000_000 - 100_000);
  });
});

describe('the decompression budget of zip entries', () => {
  it('charges what an entry inflated when its reading fails, as when it was read whole', async () => {
    const archive = zip([
      { name: 'damaged.xml', data: Buffer.alloc(300_000, 'a') },
      { name: 'whole.xml', data: Buffer.alloc(100_000, 'b') },
    ]);
    // The central directory claims one byte more than the entry holds: read to its end, it fails.
    const central = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    archive.writeUInt32LE(archive.readUInt32LE(central + 24) + 1, central + 24);
    const budget = new DecompressionBudget(BUDGET_LIMITS);
    const read: string[] = [];
    for await (const entry of zipEntries(archive, budget)) read.push('error' in entry ? 'error' : entry.name);
    expect(read).toEqual(['error', 'whole.xml']);
    expect(budget.remaining().bytes).toBe(1_000_000 - 300_000 - 100_000);
  });
});
