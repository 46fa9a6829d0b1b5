import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type Payload,
  parseAggregateReport,
  parseAggregateReportToObject,
  ReportError,
  UNPACK_MAX_RATIO,
  UNPACK_MAX_TOTAL_BYTES,
  UNPACK_STREAM_ABOVE_BYTES,
  type Unpacked,
  type UnpackOptions,
  unpackAll,
} from '../../src/reports/index.ts';
import { aggregateXml, gz, mail, zip } from './fixtures/build.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Streams everything above 0 bytes, so that small fixtures take the streaming path. */
const streamAll: UnpackOptions = { streamAbove: 0 };

const payloads = (items: Unpacked[]) => items.filter((i): i is Payload => i.kind !== 'error');
const only = async (input: Buffer, name: string, options: UnpackOptions = {}): Promise<Payload> => {
  const items = await unpackAll(input, name, options);
  expect(items.map((i) => i.kind)).toEqual(['aggregate']);
  return items[0] as Payload;
};
const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const streamError = async (stream: Readable): Promise<ReportError> => {
  try {
    await readAll(stream);
  } catch (err) {
    expect(err).toBeInstanceOf(ReportError);
    return err as ReportError;
  }
  throw new Error('the stream did not fail');
};

describe('unpack with streamAbove: large aggregate reports as streams', () => {
  const reports = ['rfc7489.xml', 'rfc9990.xml', 'quirks.xml'].map((name) => [name, fixture(name)] as const);
  // A multi-byte character split across two gzip members.
  const japanese = Buffer.from(
    aggregateXml({ extra: '<extensions><x:note xmlns:x="urn:x">日本語の報告</x:note></extensions>' }),
  );
  const splitAt = japanese.indexOf(Buffer.from('本')) + 1;
  const multiMember = Buffer.concat([gz(japanese.subarray(0, splitAt)), gz(japanese.subarray(splitAt))]);

  it.each(reports)(
    '%s: the streamed gzip gives exactly the report the buffered path gives',
    async (_name, xml) => {
      const buffered = await only(gz(xml), 'r.xml.gz');
      const streamed = await only(gz(xml), 'r.xml.gz', streamAll);
      expect(buffered.stream).toBeUndefined();
      expect(streamed.stream?.encoding).toBe('gzip');
      expect(streamed.name).toBe(buffered.name);
      expect(streamed.provenance).toBe(buffered.provenance);
      const fromBuffer = await parseAggregateReportToObject(buffered.bytes);
      const fromStream = await parseAggregateReportToObject(streamed.stream!.open());
      expect(fromStream).toEqual(fromBuffer);
    },
  );

  it('keeps the gzip as it came for the store, hashed as such', async () => {
    const compressed = gz(fixture('rfc9990.xml'));
    const streamed = await only(compressed, 'r.xml.gz', streamAll);
    expect(streamed.bytes.equals(compressed)).toBe(true);
    expect(streamed.sha256).toBe(sha256(compressed));
    expect((await readAll(streamed.stream!.open())).equals(fixture('rfc9990.xml'))).toBe(true);
  });

  it('joins members and ignores trailing bytes as the buffered path does, with the same warnings', async () => {
    const input = Buffer.concat([multiMember, Buffer.from('\r\n')]);
    const buffered = await only(input, 'm.xml.gz');
    const streamed = await only(input, 'm.xml.gz', streamAll);
    expect((await readAll(streamed.stream!.open())).equals(japanese)).toBe(true);
    expect(streamed.warnings).toEqual(buffered.warnings);
    expect(streamed.warnings.map((w) => w.code)).toEqual(['gzip-multi-member', 'gzip-trailing-data']);
    // Read again: same content, warnings not counted twice.
    const again = await parseAggregateReportToObject(streamed.stream!.open());
    expect(again).toEqual(await parseAggregateReportToObject(buffered.bytes));
    expect(streamed.warnings).toEqual(buffered.warnings);
  });

  it('reads members whose ends fall anywhere in the input slices', async () => {
    // Barely compressible content, so members span several 16 KiB input slices and end inside one.
    const content = Buffer.from(`<${randomBytes(300_000).toString('base64')}`);
    const cuts = [0, 1, 2, 17_000, 17_001, 90_000, 250_000, 399_999, content.length];
    const input = Buffer.concat(cuts.slice(1).map((end, i) => gz(content.subarray(cuts[i], end))));
    const streamed = await only(input, 'r.xml.gz', streamAll);
    expect((await readAll(streamed.stream!.open())).equals(content)).toBe(true);
    expect(streamed.warnings).toEqual([{ code: 'gzip-multi-member', count: cuts.length - 2 }]);
    expect((await only(input, 'r.xml.gz')).bytes.equals(content)).toBe(true);
  });

  it('streams a gzip inside a mail and a zip, keeping the attachment gzip as raw bytes', async () => {
    const compressed = gz(fixture('rfc7489.xml'));
    const message = mail('Report Domain: sender.example', [
      { contentType: 'application/gzip', filename: 'r.xml.gz', data: compressed },
    ]);
    const [fromMail] = payloads(await unpackAll(message, 'm.eml', streamAll));
    expect(fromMail?.provenance).toBe('m.eml > attachment 1 r.xml.gz > gunzip');
    expect(fromMail?.mail?.subject).toBe('Report Domain: sender.example');
    expect(fromMail?.bytes.equals(compressed)).toBe(true);
    const archive = zip([{ name: 'r.xml.gz', data: compressed, store: true }]);
    const [fromZip] = payloads(await unpackAll(archive, 'r.zip', streamAll));
    expect(fromZip?.provenance).toBe('r.zip > entry r.xml.gz > gunzip');
    expect(await parseAggregateReportToObject(fromZip!.stream!.open())).toEqual(
      await parseAggregateReportToObject(fixture('rfc7489.xml')),
    );
  });

  it(`holds content up to the threshold (UNPACK_STREAM_ABOVE_BYTES ${UNPACK_STREAM_ABOVE_BYTES}) as before`, async () => {
    const xml = fixture('rfc9990.xml');
    const small = await only(gz(xml), 'r.xml.gz', { streamAbove: UNPACK_STREAM_ABOVE_BYTES });
    expect(small.stream).toBeUndefined();
    expect(small.bytes.equals(xml)).toBe(true);
    expect(small.sha256).toBe(sha256(xml));
    const big = Buffer.from(aggregateXml({ repeat: 40_000 }));
    expect(big.length).toBeGreaterThan(UNPACK_STREAM_ABOVE_BYTES);
    const large = await only(gz(big), 'big.xml.gz', { streamAbove: UNPACK_STREAM_ABOVE_BYTES });
    expect(large.stream?.encoding).toBe('gzip');
    const report = await parseAggregateReport(large.stream!.open());
    expect(report.recordCount).toBe(40_000);
  });

  it('holds other content whole above the threshold: reading a zip, a mail or JSON needs all of it', async () => {
    const archive = zip([{ name: 'a.xml', data: fixture('rfc7489.xml') }]);
    const items = await unpackAll(gz(archive), 'a.zip.gz', streamAll);
    expect(items.map((i) => `${i.kind} @ ${i.provenance}`)).toEqual([
      'aggregate @ a.zip.gz > gunzip > entry a.xml',
    ]);
    const [entry] = payloads(items);
    // The XML inside the zip is plain: its stream slices the bytes it already holds.
    expect(entry?.stream?.encoding).toBe('identity');
    expect(entry?.bytes.equals(fixture('rfc7489.xml'))).toBe(true);
    const [tls] = payloads(await unpackAll(gz(fixture('tls.json')), 't.json.gz', streamAll));
    expect(tls?.kind).toBe('tls');
    expect(tls?.stream).toBeUndefined();
    expect(tls?.bytes.equals(fixture('tls.json'))).toBe(true);
  });

  it('gives a large plain XML file an identity stream over its own bytes, in 64 KiB slices', async () => {
    const xml = Buffer.from(aggregateXml({ repeat: 1_000 }));
    const plain = await only(xml, 'r.xml', streamAll);
    expect(plain.stream?.encoding).toBe('identity');
    expect(plain.sha256).toBe(sha256(xml));
    const sizes: number[] = [];
    for await (const chunk of plain.stream!.open()) sizes.push((chunk as Buffer).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65_536);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(xml.length);
    expect(await parseAggregateReportToObject(plain.stream!.open())).toEqual(
      await parseAggregateReportToObject(xml),
    );
  });

  it('hands out the decompressed content in chunks of at most 64 KiB', async () => {
    const xml = Buffer.from(aggregateXml({ repeat: 2_000 }));
    const streamed = await only(gz(xml), 'r.xml.gz', streamAll);
    const sizes: number[] = [];
    for await (const chunk of streamed.stream!.open()) sizes.push((chunk as Buffer).length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65_536);
  });
});

describe('unpack with streamAbove: caps and damage show as the stream error', () => {
  it(`stops a gzip claiming 10 GiB at the ratio cap (UNPACK_MAX_RATIO ${UNPACK_MAX_RATIO}), reading little`, async () => {
    // It starts like a report, so it is streamed; then 160 members of 64 MiB of spaces.
    const member = gz(Buffer.alloc(64 * 1024 * 1024, ' '));
    const bomb = Buffer.concat([
      gz('<?xml version="1.0"?><feedback>'),
      ...Array.from({ length: 160 }, () => member),
    ]);
    const streamed = await only(bomb, 'bomb.xml.gz', streamAll);
    expect(streamed.stream?.encoding).toBe('gzip');
    const before = process.memoryUsage().rss;
    let read = 0;
    const error = await (async () => {
      try {
        for await (const chunk of streamed.stream!.open()) read += (chunk as Buffer).length;
      } catch (err) {
        return err as ReportError;
      }
      throw new Error('the bomb was read to the end');
    })();
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ code: 'decompression-ratio-exceeded', args: { limit: UNPACK_MAX_RATIO } });
    expect(read).toBeLessThan(4 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('the parser rejects with the cap error when the stream goes over a cap', async () => {
    const xml = aggregateXml({ repeat: 1_000 });
    // The first 64 KiB decide that it is a report; the cap is met later, while it is parsed.
    const limits = { maxPayloadBytes: 100_000, ratioFloorBytes: 1e9 };
    const streamed = await only(gz(xml), 'r.xml.gz', { streamAbove: 0, limits });
    const records: number[] = [];
    const error = await parseAggregateReport(streamed.stream!.open(), {
      onRecord: (_record, index) => void records.push(index),
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ code: 'decompressed-too-large', args: { limit: 100_000 } });
    expect(records.length).toBeGreaterThan(0);
  });

  it(`counts streams against the input's total (UNPACK_MAX_TOTAL_BYTES ${UNPACK_MAX_TOTAL_BYTES})`, async () => {
    const xml = aggregateXml({ repeat: 20 });
    const message = mail('Reports', [
      { contentType: 'application/gzip', filename: 'a.xml.gz', data: gz(xml) },
      { contentType: 'application/gzip', filename: 'b.xml.gz', data: gz(xml) },
    ]);
    const limits = { maxTotalBytes: Math.floor(xml.length * 1.5), ratioFloorBytes: 1e9 };
    const results: string[] = [];
    // Read each stream before taking the next payload, as ingestion does.
    for (const item of payloads(await unpackAll(message, 'm.eml', { streamAbove: 0, limits }))) {
      const outcome = await parseAggregateReport(item.stream!.open()).then(
        () => 'read',
        (err: ReportError) => `${err.code} ${JSON.stringify(err.args)}`,
      );
      results.push(`${item.name}: ${outcome}`);
    }
    expect(results).toEqual([
      'a.xml: read',
      `b.xml: decompressed-too-large {"limit":${limits.maxTotalBytes}}`,
    ]);
  });

  it('reports truncated and damaged gzip from the stream', async () => {
    const xml = Buffer.from(aggregateXml({ repeat: 2_000 }));
    const data = gz(xml);
    const cut = await only(data.subarray(0, data.length - 20), 'cut.xml.gz', streamAll);
    expect((await streamError(cut.stream!.open())).code).toBe('gzip-truncated');
    const flipped = Buffer.from(data);
    flipped.writeUInt32LE((flipped.readUInt32LE(flipped.length - 8) ^ 1) >>> 0, flipped.length - 8);
    const crc = await only(flipped, 'crc.xml.gz', streamAll);
    expect(await streamError(crc.stream!.open())).toMatchObject({
      code: 'gzip-corrupt',
      args: { detail: 'checksum mismatch' },
    });
    // Damage found while deciding whether to stream is an error item, as before.
    const items = await unpackAll(data.subarray(0, 12), 'short.xml.gz', streamAll);
    expect(items.map((i) => (i.kind === 'error' ? i.error.code : i.kind))).toEqual(['gzip-truncated']);
  });

  it('stops reading when the parser gives up midway, and can be read again', async () => {
    const xml = Buffer.from(aggregateXml({ records: [{}, { count: -1 }], repeat: 2_000 }));
    const streamed = await only(gz(xml), 'bad.xml.gz', streamAll);
    const stream = streamed.stream!.open();
    const error = await parseAggregateReport(stream).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'aggregate-invalid-count' });
    expect(stream.destroyed).toBe(true);
    expect((await readAll(streamed.stream!.open())).equals(xml)).toBe(true);
  });
});

describe('parseAggregateReport from a large Buffer', () => {
  it('gives the event loop a turn while it reads, rather than one run of microtasks', async () => {
    const xml = Buffer.from(aggregateXml({ repeat: 10_000 }));
    expect(xml.length).toBeGreaterThan(2 * 1_048_576);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    let turnsBeforeLastRecord = -1;
    try {
      await parseAggregateReport(xml, {
        onRecord: (_record, index) => {
          if (index === 9_999) turnsBeforeLastRecord = turns;
        },
      });
    } finally {
      clearInterval(counting);
    }
    expect(turnsBeforeLastRecord).toBeGreaterThan(0);
  });
});
