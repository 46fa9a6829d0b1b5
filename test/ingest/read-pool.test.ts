import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/ingest/inputs.ts';
import { MAILS_BEFORE_MORE_THREADS, ReadPool } from '../../src/ingest/read-pool.ts';
import { parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { ReportError } from '../../src/reports/errors.ts';
import { isPrepared, type PreparedRows, preparedRecords } from '../../src/store/aggregate-rows.ts';
import { rawBytes } from '../../src/store/raw.ts';
import { zip } from '../reports/fixtures/build.ts';
import { aggregateGz, aggregateXml, mbox, reportMail } from './helpers/reports.ts';

describe('ReadPool', () => {
  const pool = new ReadPool(2);
  afterAll(() => pool.close());

  it('parses a small aggregate report on a thread, with its raw bytes packed', async () => {
    const xml = Buffer.from(aggregateXml({ reportId: 'on-a-thread', records: 3 }));
    const parts = await pool.read(xml, 'r.xml', '/in/r.xml', { parseAggregates: 'sqlite' });
    expect(parts).toHaveLength(1);
    const part = parts![0]!;
    if (part.kind !== 'aggregate') throw new Error(`expected an aggregate part, got ${part.kind}`);
    expect(part.report.metadata.reportId).toBe('on-a-thread');
    // Its records come as the store's rows, made on the thread.
    expect(part.report.records).toMatchObject({ engine: 'sqlite', count: 3 });
    // The XML is not copied back: it is unpacked from the packed raw bytes when needed.
    expect(part.xml).toBeNull();
    expect(Buffer.isBuffer(part.raw.data)).toBe(true);
    expect((await rawBytes(part.raw)).equals(xml)).toBe(true);
    expect(part.raw.size).toBe(xml.length);
  });

  it('gives back the report as parsing it here gives it: reasons, every auth result, extensions, nulls', async () => {
    for (const name of ['rfc7489.xml', 'rfc9990.xml']) {
      const xml = await readFile(new URL(`../reports/fixtures/${name}`, import.meta.url));
      const parts = await pool.read(xml, name, name, { parseAggregates: 'sqlite' });
      const part = parts![0]!;
      if (part.kind !== 'aggregate') throw new Error(`expected an aggregate part, got ${part.kind}`);
      const { records, ...header } = await parseAggregateReportToObject(xml);
      expect(records.some((r) => r.policyEvaluated.reasons.length > 0)).toBe(true);
      const { records: prepared, ...headerThere } = part.report;
      expect(headerThere).toEqual(header);
      if (!isPrepared(prepared) || 'refused' in prepared) throw new Error('expected prepared records');
      expect(preparedRecords(prepared)).toEqual(records);
    }
  });

  it('grows to its size for mail once enough mail has come, and reads on every thread', async () => {
    const growing = new ReadPool(1, 3);
    try {
      for (let i = 1; i < MAILS_BEFORE_MORE_THREADS; i++) growing.forMail();
      expect(growing.size).toBe(1);
      growing.forMail();
      expect(growing.size).toBe(3);
      // More mail changes nothing; a pool given one size keeps it.
      growing.forMail();
      expect(growing.size).toBe(3);
      const fixed = new ReadPool(1);
      for (let i = 0; i <= MAILS_BEFORE_MORE_THREADS; i++) fixed.forMail();
      expect(fixed.size).toBe(1);
      await fixed.close();
      const mails = Array.from({ length: 9 }, (_, i) =>
        Buffer.from(reportMail({ reportId: `grown-${i}`, records: 1 })),
      );
      const read = await Promise.all(
        mails.map((mail, i) => growing.read(mail, `m${i}.eml`, `m${i}`, { parseAggregates: 'sqlite' })),
      );
      expect(
        read.map((parts) => parts?.[0]?.kind === 'aggregate' && parts[0].report.metadata.reportId),
      ).toEqual(mails.map((_, i) => `grown-${i}`));
    } finally {
      await growing.close();
    }
  });

  it('reads zips and mails on a thread, whose readers it loads when first needed', async () => {
    const archive = zip([
      { name: 'a.xml', data: aggregateXml({ reportId: 'in-zip-a', records: 3 }) },
      { name: 'b.xml', data: aggregateXml({ reportId: 'in-zip-b', records: 2 }) },
    ]);
    const zipped = await pool.read(archive, 'r.zip', '/in/r.zip', { parseAggregates: 'sqlite' });
    expect(zipped?.map((p) => [p.where, p.kind === 'aggregate' && p.report.metadata.reportId])).toEqual([
      ['/in/r.zip > entry a.xml', 'in-zip-a'],
      ['/in/r.zip > entry b.xml', 'in-zip-b'],
    ]);
    const mail = Buffer.from(reportMail({ reportId: 'in-mail' }));
    const mailed = await pool.read(mail, 'm.eml', '/in/m.eml', { parseAggregates: 'sqlite' });
    expect(mailed?.map((p) => p.kind === 'aggregate' && p.report.metadata.reportId)).toEqual(['in-mail']);
  });

  it('gives errors back as ReportErrors with their provenance', async () => {
    const parts = await pool.read(Buffer.from('<feedback><oops'), 'b.xml', '/in/b.xml', {
      parseAggregates: 'sqlite',
    });
    const part = parts![0]!;
    if (part.kind !== 'damaged') throw new Error(`expected a damaged part, got ${part.kind}`);
    expect(part.error).toBeInstanceOf(ReportError);
    expect(part.error.code).toBe('xml-not-well-formed');
    expect(part.error.provenance).toBe('/in/b.xml');
  });

  it('reads whole files itself: parts with the bytes, mbox files back whole, unreadable ones as InputErrors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sumi-read-pool-'));
    try {
      const xml = aggregateXml({ reportId: 'file-on-a-thread' });
      await writeFile(path.join(dir, 'r.xml'), xml);
      await writeFile(path.join(dir, 'box.mbox'), mbox([reportMail({ reportId: 'in-box' })]));
      const file = (name: string, max = 1_000_000) => ({ path: path.join(dir, name), maildir: false, max });
      const read = await pool.readFile(file('r.xml'), 'r.xml', 'r.xml', { parseAggregates: 'sqlite' });
      if (read.kind !== 'parts') throw new Error(`expected parts, got ${read.kind}`);
      expect(read.bytes.toString()).toBe(xml);
      expect(read.parts?.map((p) => p.kind)).toEqual(['aggregate']);
      expect((await pool.readFile(file('box.mbox'), 'box.mbox', 'box.mbox', {})).kind).toBe('mbox');
      const missing = await pool.readFile(file('nope.xml'), 'nope.xml', 'nope.xml', {});
      expect(missing.kind === 'unreadable' && missing.error).toMatchObject({ code: 'input-unreadable' });
      expect(missing.kind === 'unreadable' && missing.error).toBeInstanceOf(InputError);
      const big = await pool.readFile(file('r.xml', 10), 'r.xml', 'r.xml', {});
      expect(big.kind === 'unreadable' && big.error.code).toBe('input-too-large');
      // A file stat gives no size for is read no further than the cap (it took all the memory).
      const endless = await pool.readFile(
        { path: '/dev/zero', maildir: false, max: 100_000 },
        'zero',
        '/dev/zero',
        {},
      );
      expect(endless.kind === 'unreadable' && endless.error).toMatchObject({
        code: 'input-too-large',
        args: { size: 100_001, limit: 100_000 },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says which files it read are mail (a folder of .eml files), not report files nor a Maildir's", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sumi-read-pool-mail-'));
    try {
      const file = (name: string, maildir = false) => ({
        path: path.join(dir, name),
        maildir,
        max: 1_000_000,
      });
      await writeFile(path.join(dir, 'r.xml'), aggregateXml({ reportId: 'plain' }));
      await writeFile(path.join(dir, 'm.eml'), reportMail({ reportId: 'eml' }));
      const mail = async (name: string, maildir = false) => {
        const read = await pool.readFile(file(name, maildir), name, name, {});
        return read.kind === 'parts' && read.mail;
      };
      expect(await mail('m.eml')).toBe(true);
      expect(await mail('r.xml')).toBeFalsy();
      // A Maildir's files are known as mail by the caller already (InputMessage.mail).
      expect(await mail('m.eml', true)).toBeFalsy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves an input holding a report to stream to the main thread', async () => {
    const gz = aggregateGz({ reportId: 'large', records: 50 });
    expect(
      await pool.read(gz, 'l.xml.gz', '/in/l.xml.gz', { parseAggregates: 'sqlite', streamAbove: 100 }),
    ).toBeNull();
  });
});

describe('ReadPool.parseAggregate (a streamed report parsed on a thread)', () => {
  it('parses a report given as text in pieces into rows a batch at a time, the same as here', async () => {
    const pool = new ReadPool(1, 1, true);
    try {
      const xml = aggregateXml({ reportId: 'pieces', records: 2_345 });
      async function* pieces() {
        // Small pieces of text: each made into bytes here, from a buffer shared with others.
        for (let at = 0; at < xml.length; at += 300) yield xml.slice(at, at + 300);
      }
      const rows: PreparedRows[] = [];
      let header: unknown;
      const report = await pool.parseAggregate(pieces(), {
        engine: 'sqlite',
        onHeader: (read) => {
          header = read;
        },
        onRows: (batch) => {
          rows.push(batch);
        },
      });
      const here = await parseAggregateReportToObject(Buffer.from(xml));
      expect(report.recordCount).toBe(2_345);
      expect(header).toMatchObject({ metadata: { reportId: 'pieces' } });
      expect(rows.map((batch) => batch.count)).toEqual([1_000, 1_000, 345]);
      const records = rows.flatMap((batch) => preparedRecords(batch));
      expect(records).toEqual(here.records);
      expect(Buffer.from('still this thread’s').toString()).toBe('still this thread’s');
    } finally {
      await pool.close();
    }
  });
});
