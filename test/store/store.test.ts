import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { AggregateRecord, AggregateReportWithRecords } from '../../src/reports/types.ts';
import { preparedRecords, prepareRecords, reportRow } from '../../src/store/aggregate-rows.ts';
import { ROWS_PER_STATEMENT } from '../../src/store/engine.ts';
import { StoreInputError } from '../../src/store/errors.ts';
import { lookupDomains } from '../../src/store/migrations/0020-lookup-domains.ts';
import { failureReportDomains } from '../../src/store/migrations/0022-failure-report-domains.ts';
import { lookupDomainsUnicode } from '../../src/store/migrations/0025-lookup-domains-unicode.ts';
import { migrations as allMigrations } from '../../src/store/migrations/index.ts';
import { openStore } from '../../src/store/open.ts';
import { copyingPool } from '../../src/store/pg-copy.ts';
import { packRaw } from '../../src/store/raw.ts';
import { compactRollup, foldPendingRollup, ROLLUP_MAX_PENDING_ROWS } from '../../src/store/rollup.ts';
import { SOURCE_ROLLUP_KEY } from '../../src/store/rollup-key.ts';
import {
  type KyselyStore,
  ROLLUP_FOLD_EVERY_MS,
  ROLLUP_FOLD_PENDING_ROWS,
  rollupDay,
} from '../../src/store/store.ts';
import type { AggregateReportInput, AggregateReportWriter, Store } from '../../src/store/types.ts';
import {
  asBefore0008,
  DAY,
  engines,
  engineTitle,
  failureReport,
  freshStore,
  header,
  JAN_1,
  manyRecords,
  record,
  rollupSums,
  tlsReport,
  withOwnPostgresRole,
} from './helpers.ts';

const source = { description: 'test.xml', receivedAt: JAN_1 + 3600 };
const xml = (text: string) => Buffer.from(`<?xml version="1.0"?><feedback>${text}</feedback>`.repeat(20));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Byte equality without comparing element by element (slow on large buffers). */
function expectBytes(actual: Buffer | undefined, expected: Buffer): void {
  expect(actual).toBeInstanceOf(Buffer);
  expect(actual?.length).toBe(expected.length);
  expect(actual?.equals(expected)).toBe(true);
}

/** A records source that fails the test if the store reads it. */
const untouchable = (): Iterable<AggregateRecord> => ({
  [Symbol.iterator]: () => ({
    next(): IteratorResult<AggregateRecord> {
      throw new Error('the store read the records of a duplicate');
    },
  }),
});

/** Yields `count` records, then throws as a parser does on a damaged input. */
async function* failingAfter(count: number): AsyncGenerator<AggregateRecord> {
  yield* manyRecords(count);
  throw new Error('parser: the XML is not well-formed at line 9000');
}

const HOSTILE = [
  '<script>alert("x")</script>',
  `quotes ' " \` and a backslash \\ and ; drop table reports; --`,
  'NUL\u0000inside',
  'U+FFFF\uffff0 and \uffff\uffff escapes',
  'emoji 📨🇯🇵 and 日本語',
  'line\r\nbreak\ttab',
  // What PostgreSQL's COPY text reads as NULL or as escapes, were they not escaped (pg-copy.ts).
  '\\N',
  'a \\t, a \\n and \\\\ written out, and \\001',
];

/** A record with `value` in every text field the store keeps. */
const recordHolding = (value: string): AggregateRecord =>
  record({
    headerFrom: value,
    envelopeFrom: value,
    policyEvaluated: {
      disposition: 'none',
      dkim: 'pass',
      spf: 'fail',
      reasons: [{ type: value, comment: value }],
    },
    authResults: {
      dkim: [{ domain: value, selector: value, result: 'pass', humanResult: value }],
      spf: [{ domain: value, scope: 'mfrom', result: 'fail', humanResult: value }],
    },
    extensions: [{ name: 'x', attributes: { v: value }, text: value, children: [] }],
  });

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`store ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    const open = () => freshStore(engine, opened);

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    afterAll(() => engine.cleanup());

    it('stores an aggregate report and reads every field back', async () => {
      const store = await open();
      const records: AggregateRecord[] = [
        record({
          sourceIp: '2001:db8::1',
          count: 12,
          policyEvaluated: {
            disposition: 'quarantine',
            dkim: 'fail',
            spf: 'fail',
            reasons: [
              { type: 'forwarded', comment: 'via list' },
              { type: 'local_policy', comment: null },
            ],
          },
          headerFrom: 'news.example.jp',
          envelopeFrom: null,
          envelopeTo: 'reporter.example',
          authResults: {
            dkim: [
              { domain: 'esp.example', selector: 'k1', result: 'pass', humanResult: 'good sig' },
              { domain: 'example.jp', selector: null, result: 'fail', humanResult: null },
            ],
            spf: [
              { domain: 'esp.example', scope: 'mfrom', result: 'softfail', humanResult: null },
              { domain: 'mx.esp.example', scope: 'helo', result: 'pass', humanResult: 'helo ok' },
            ],
          },
          extensions: [{ name: 'x:geo', attributes: { cc: 'JP' }, text: 'Tokyo', children: [] }],
        }),
        record({
          sourceIp: null,
          policyEvaluated: { disposition: null, dkim: null, spf: null, reasons: [] },
        }),
        record({ authResults: { dkim: [], spf: [] } }),
      ];
      const report = {
        ...header(),
        records,
        extensions: [
          {
            name: 'extension',
            attributes: {},
            text: null,
            children: [{ name: 'x', attributes: { a: '1' }, text: 't', children: [] }],
          },
        ],
        warnings: [{ code: 'missing-count' as const, field: 'record/row/count', count: 2 }],
      };
      const raw = xml('<record/>');
      const outcome = await store.insertAggregateReport(report, raw, source);
      expect(outcome).toEqual({ status: 'stored', id: expect.any(Number), records: 3, messages: 14 });
      const stored = await store.getAggregateReport(outcome.id);
      expect(stored).toEqual({
        ...header(),
        id: outcome.id,
        records,
        recordCount: 3,
        messageCount: 14,
        extensions: report.extensions,
        warnings: report.warnings,
        rawSha256: sha256(raw),
        source: source.description,
        receivedAt: source.receivedAt,
        ingestedAt: expect.any(Number),
        copies: [],
      });
      expect(await store.getAggregateReport(outcome.id + 1000)).toBeUndefined();
    });

    it('stores the same report once and says the second is a duplicate, without reading its records', async () => {
      const store = await open();
      const first = await store.insertAggregateReport({ ...header(), records: [record()] }, xml('a'), source);
      expect(first.status).toBe('stored');
      // The same bytes again (a mail delivered twice): nothing is kept.
      const again = await store.insertAggregateReport(
        { ...header(), records: untouchable() },
        xml('a'),
        source,
      );
      expect(again).toEqual({ status: 'duplicate', id: first.id });
      expect(await rowCount(store, 'report_copies')).toBe(0);
      // A different reporter, or another policy domain, with the same report ID is another report.
      const otherOrg = await store.insertAggregateReport(
        { ...header({ orgName: 'Other Org' }), records: [record()] },
        xml('c'),
        source,
      );
      const otherDomain = await store.insertAggregateReport(
        { ...header({ domain: 'example.com' }), records: [record()] },
        xml('d'),
        source,
      );
      expect(otherOrg.status).toBe('stored');
      expect(otherDomain.status).toBe('stored');
      expect(await store.countReports()).toMatchObject({ reports: 3, records: 3, messages: 3 });
    });

    it('keeps a thinner copy under a stored report identity as a copy, counted nowhere, once per content', async () => {
      const store = await open();
      const first = await store.insertAggregateReport(
        { ...header(), records: [record({ count: 3 })] },
        xml('a'),
        source,
      );
      const later = { description: 'resent\u0000 \uffff 日本語.xml', receivedAt: JAN_1 + 7200 };
      // Same reporter + report ID + policy domain, other content covering fewer messages: a duplicate.
      const other = await store.insertAggregateReport(
        { ...header(), records: [record({ count: 2 })] },
        xml('b'),
        later,
      );
      expect(other).toEqual({ status: 'duplicate', id: first.id, copy: expect.any(Number) });
      const copy = (other as { copy: number }).copy;
      // The same other bytes again keep nothing new, their records unread.
      expect(
        await store.insertAggregateReport({ ...header(), records: untouchable() }, xml('b'), later),
      ).toEqual({ status: 'duplicate', id: first.id });
      expect(await store.countReports()).toMatchObject({ reports: 1, records: 1, messages: 3 });
      expect((await store.getAggregateReport(first.id))?.copies).toEqual([
        {
          id: copy,
          rawSha256: sha256(xml('b')),
          rawSize: xml('b').length,
          source: later.description,
          receivedAt: later.receivedAt,
          ingestedAt: expect.any(Number),
        },
      ]);
      expectBytes(await store.getRawReport(copy, 'copy'), xml('b'));
      expect(await store.findRaw(sha256(xml('b')))).toEqual([{ kind: 'copy', id: copy }]);
      // Its raw bytes stay the first copy's.
      expectBytes(await store.getRawReport(first.id), xml('a'));
    });

    describe('of differing copies of one report, counts the fullest whatever order they arrive in', () => {
      // A: 3 messages; C: 6 in one record; B and D: 6 in two records, on the next day, B's and
      // D's bytes differing only in a comment: the one whose SHA-256 sorts first counts.
      const copies = {
        A: { records: [record({ count: 3 })], raw: xml('A'), begin: JAN_1 },
        B: {
          records: [
            record({ count: 2 }),
            record({ sourceIp: '192.0.2.2', count: 4, headerFrom: 'mail.example.jp' }),
          ],
          raw: xml('B'),
          begin: JAN_1 + DAY,
        },
        C: { records: [record({ sourceIp: '192.0.2.3', count: 6 })], raw: xml('C'), begin: JAN_1 },
        D: { records: [] as AggregateRecord[], raw: xml('<!-- D -->B'), begin: JAN_1 + DAY },
      };
      copies.D.records = copies.B.records;
      type Name = keyof typeof copies;
      const winner: Name = sha256(copies.B.raw) < sha256(copies.D.raw) ? 'B' : 'D';
      const report = (name: Name) => ({
        ...header({ begin: copies[name].begin }),
        records: copies[name].records,
      });
      const item = (name: Name) => ({
        report: report(name),
        raw: copies[name].raw,
        source: { description: name },
      });
      const orders: Name[][] = [
        ['A', 'B', 'C', 'D'],
        ['D', 'C', 'B', 'A'],
        ['C', 'A', 'D', 'B'],
        ['B', 'D', 'A', 'C'],
      ];
      const ways: Record<string, (store: Store, order: Name[]) => Promise<unknown>> = {
        'one at a time': async (store, order) => {
          for (const name of order)
            await store.insertAggregateReport(report(name), copies[name].raw, item(name).source);
        },
        'a batch each, in bulk': (store, order) =>
          store.writingInBulk(async () => {
            for (const name of order) await store.insertAggregateReports([item(name)]);
          }),
        'in one batch': (store, order) => store.insertAggregateReports(order.map(item)),
        'one stored, then the rest in one batch': async (store, order) => {
          await store.insertAggregateReport(report(order[0]!), copies[order[0]!].raw, item(order[0]!).source);
          await store.insertAggregateReports(order.slice(1).map(item));
        },
        'all at once': (store, order) =>
          Promise.all(
            order.map((name) =>
              store.insertAggregateReport(report(name), copies[name].raw, item(name).source),
            ),
          ),
      };

      for (const [way, write] of Object.entries(ways)) {
        it(way, async () => {
          const alone = await open();
          await alone.insertAggregateReport(report(winner), copies[winner].raw, item(winner).source);
          const expected = await rollupRows(alone);
          for (const order of orders) {
            const store = await open();
            await write(store, order);
            const [stored, ...others] = await store.listReports();
            expect(others, order.join('')).toEqual([]);
            const counted = await store.getAggregateReport(stored!.id);
            expect(counted?.source, order.join('')).toBe(winner);
            expect(counted?.records).toEqual(copies[winner].records);
            expect(counted?.metadata.window.begin).toBe(copies[winner].begin);
            expectBytes(await store.getRawReport(stored!.id), copies[winner].raw);
            expect(counted?.copies.map((c) => c.source).sort()).toEqual(
              (['A', 'B', 'C', 'D'] as Name[]).filter((name) => name !== winner),
            );
            for (const copy of counted!.copies)
              expectBytes(await store.getRawReport(copy.id, 'copy'), copies[copy.source as Name].raw);
            expect(await store.countReports()).toMatchObject({ reports: 1, records: 2, messages: 6 });
            expect(await rowCount(store, 'records')).toBe(2);
            expect(await rollupRows(store), order.join('')).toEqual(expected);
          }
        });
      }

      it('says what the counted records and messages grew by when a fuller copy takes over', async () => {
        const store = await open();
        const first = await store.insertAggregateReport(report('A'), copies.A.raw, item('A').source);
        const fuller = await store.insertAggregateReport(report('C'), copies.C.raw, item('C').source);
        expect(fuller).toEqual({
          status: 'duplicate',
          id: first.id,
          copy: expect.any(Number),
          gained: { records: 0, messages: 3 },
        });
        // The copy kept is the one counted before.
        expectBytes(await store.getRawReport((fuller as { copy: number }).copy, 'copy'), copies.A.raw);
        const [batched] = await store.insertAggregateReports([item('B')]);
        expect(batched).toEqual({
          status: 'duplicate',
          id: first.id,
          copy: expect.any(Number),
          gained: { records: 1, messages: 0 },
        });
        // A thinner copy, and the copies again: nothing changes.
        expect(await store.insertAggregateReports([item('A'), item('C')])).toEqual([
          { status: 'duplicate', id: first.id },
          { status: 'duplicate', id: first.id },
        ]);
        expect(await store.insertAggregateReport(report('C'), copies.C.raw, item('C').source)).toEqual({
          status: 'duplicate',
          id: first.id,
        });
        expect(await store.countReports()).toMatchObject({ reports: 1, records: 2, messages: 6 });
      });

      it('keeps the stored copy whole when a fuller copy fails midway', async () => {
        const store = await open();
        const first = await store.insertAggregateReport(report('A'), copies.A.raw, item('A').source);
        const before = await rollupRows(store);
        const size = ROWS_PER_STATEMENT[store.engine] * 2 + 17;
        await expect(
          store.insertAggregateReport({ ...header(), records: failingAfter(size) }, xml('x'), source),
        ).rejects.toThrow(/not well-formed/);
        expect((await store.getAggregateReport(first.id))?.records).toEqual(copies.A.records);
        expect(await rollupRows(store)).toEqual(before);
        expect(await rowCount(store, 'report_copies')).toBe(0);
      });
    });

    it('decides between two writers racing on the same report: one stored, one duplicate', async () => {
      const store = await open();
      const results = await Promise.all(
        [1, 2].map(() =>
          store.insertAggregateReport({ ...header(), records: manyRecords(3_000) }, xml('race'), source),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'stored']);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await store.countReports()).toMatchObject({ reports: 1, records: 3_000 });
    });

    it('keeps nothing of a report whose records source fails midway, and stores it whole on retry', async () => {
      const store = await open();
      const size = ROWS_PER_STATEMENT[store.engine] * 2 + 17;
      await expect(
        store.insertAggregateReport({ ...header(), records: failingAfter(size) }, xml('x'), source),
      ).rejects.toThrow(/not well-formed/);
      expect(await store.countReports()).toMatchObject({ reports: 0, records: 0, messages: 0 });
      expect(await rowCount(store, 'records')).toBe(0);
      expect(await rowCount(store, 'source_rollup')).toBe(0);

      const retry = await store.insertAggregateReport(
        { ...header(), records: manyRecords(size) },
        xml('x'),
        source,
      );
      expect(retry).toMatchObject({ status: 'stored', records: size });
      expect(await rowCount(store, 'records')).toBe(size);
    });

    it('rejects negative, fractional and unsafe counts with nothing stored; keeps 0 and the largest safe count', async () => {
      const store = await open();
      const bad: [number, string][] = [
        [-1, 'invalid-count'],
        [1.5, 'invalid-count'],
        [2 ** 53, 'invalid-count'],
        [Number.NaN, 'invalid-count'],
      ];
      for (const [count, code] of bad) {
        // A full batch goes out before the bad record: it is in flight when the report is abandoned.
        const records = [...manyRecords(ROWS_PER_STATEMENT[store.engine] + 1), record({ count })];
        const attempt = store.insertAggregateReport({ ...header(), records }, xml('x'), source);
        await expect(attempt).rejects.toBeInstanceOf(StoreInputError);
        await expect(attempt).rejects.toMatchObject({ code });
      }
      const overflow = [record({ count: Number.MAX_SAFE_INTEGER }), record({ count: 1 })];
      await expect(
        store.insertAggregateReport({ ...header(), records: overflow }, xml('x'), source),
      ).rejects.toMatchObject({ code: 'message-total-too-large' });
      await expect(
        store.insertAggregateReport(
          { ...header(), records: [record({ sourceIp: 'not an ip' })] },
          xml('x'),
          source,
        ),
      ).rejects.toMatchObject({ code: 'invalid-source-ip' });
      expect(await store.countReports()).toMatchObject({ reports: 0, records: 0 });
      expect(await rowCount(store, 'records')).toBe(0);

      const edge = await store.insertAggregateReport(
        { ...header(), records: [record({ count: 0 }), record({ count: Number.MAX_SAFE_INTEGER })] },
        xml('x'),
        source,
      );
      expect(edge).toMatchObject({ status: 'stored', messages: Number.MAX_SAFE_INTEGER });
      const stored = await store.getAggregateReport(edge.id);
      expect(stored?.records.map((r) => r.count)).toEqual([0, Number.MAX_SAFE_INTEGER]);
    });

    it('takes records as an array, a generator, or an async iterable of batches', async () => {
      const store = await open();
      async function* batches(): AsyncGenerator<AggregateRecord[]> {
        const all = [...manyRecords(2_500)];
        for (let i = 0; i < all.length; i += 700) yield all.slice(i, i + 700);
      }
      const a = await store.insertAggregateReport(
        { ...header({ reportId: 'a' }), records: [...manyRecords(10)] },
        xml('a'),
        source,
      );
      const b = await store.insertAggregateReport(
        { ...header({ reportId: 'b' }), records: manyRecords(10) },
        xml('b'),
        source,
      );
      const c = await store.insertAggregateReport(
        { ...header({ reportId: 'c' }), records: batches() },
        xml('c'),
        source,
      );
      expect([a, b, c].map((o) => (o.status === 'stored' ? o.records : -1))).toEqual([10, 10, 2_500]);
      const stored = await store.getAggregateReport(c.id);
      expect(stored?.records).toEqual([...manyRecords(2_500)]);
    });

    it('keeps every one of many auth results per record', async () => {
      const store = await open();
      // 40 DKIM results per record, 1,000 records in one flush.
      const dkim = Array.from({ length: 40 }, (_, i) => ({
        domain: `d${i}.example`,
        selector: `s${i}`,
        result: 'pass' as const,
        humanResult: null,
      }));
      const records = [...manyRecords(1_000)].map((r) => ({
        ...r,
        authResults: { dkim, spf: r.authResults.spf },
      }));
      const outcome = await store.insertAggregateReport({ ...header(), records }, xml('x'), source);
      expect(outcome).toMatchObject({ status: 'stored', records: 1_000 });
      expect(await rowCount(store, 'records')).toBe(1_000);
      const stored = await store.getAggregateReport(outcome.id);
      expect(stored?.records[999]?.authResults.dkim).toEqual(dkim);
    });

    it('lets a pushing parser feed a writer, and abandons the report on abort', async () => {
      const store = await open();
      const opened = await store.openAggregateReport(header(), xml('w'), source);
      if (!('add' in opened)) throw new Error('expected a writer');
      const writer: AggregateReportWriter = opened;
      for (const r of manyRecords(1_200)) await writer.add(r);
      await writer.abort();
      await writer.abort();
      expect(await store.countReports()).toMatchObject({ reports: 0, records: 0 });
      await expect(writer.add(record())).rejects.toThrow(/already committed or abandoned/);

      const again = await store.openAggregateReport(header(), xml('w'), source);
      if (!('add' in again)) throw new Error('expected a writer');
      await again.add([...manyRecords(5)]);
      const outcome = await again.commit({ warnings: [{ code: 'missing-count', count: 1 }] });
      expect(outcome).toMatchObject({ status: 'stored', records: 5 });
      expect(await store.openAggregateReport(header(), xml('w'), source)).toEqual({
        status: 'duplicate',
        id: outcome.id,
      });
      expect((await store.getAggregateReport(outcome.id))?.warnings).toEqual([
        { code: 'missing-count', count: 1 },
      ]);
    });

    it('keeps raw bytes compressed with their sha256 and gives them back exactly', async () => {
      const store = await open();
      const text = xml('<record><row><source_ip>192.0.2.1</source_ip></row></record>'.repeat(200));
      const stored = await store.insertAggregateReport({ ...header(), records: [record()] }, text, source);
      expectBytes(await store.getRawReport(stored.id), text);
      const row = await store.db
        .selectFrom('reports')
        .select(['raw_sha256', 'raw_size', 'raw_encoding', sql<number>`length(raw)`.as('stored_size')])
        .where('id', '=', stored.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ raw_sha256: sha256(text), raw_size: text.length, raw_encoding: 'br' });
      expect(Number(row.stored_size)).toBeLessThan(text.length / 10);

      // Already-compressed bytes are kept as they came.
      const gz = gzipSync(randomBytes(5_000));
      const second = await store.insertAggregateReport(
        { ...header({ reportId: 'gz' }), records: [record()] },
        gz,
        source,
      );
      expectBytes(await store.getRawReport(second.id), gz);
      const encoding = await store.db
        .selectFrom('reports')
        .select('raw_encoding')
        .where('id', '=', second.id)
        .executeTakeFirstOrThrow();
      expect(encoding.raw_encoding).toBe('identity');

      expect(await store.findRaw(sha256(text))).toEqual([{ kind: 'aggregate', id: stored.id }]);
      expect(await store.findRaw(sha256(Buffer.from('never stored')))).toEqual([]);
      expect(await store.getRawReport(9_999)).toBeUndefined();
      expect((await store.listReports())[0]).toMatchObject({ rawSha256: sha256(gz) });
    });

    it('refuses to return raw bytes that no longer match their hash', async () => {
      const store = await open();
      const stored = await store.insertAggregateReport(
        { ...header(), records: [record()] },
        xml('x'),
        source,
      );
      await store.db
        .updateTable('reports')
        .set({ raw_sha256: '0'.repeat(64) })
        .where('id', '=', stored.id)
        .execute();
      await expect(store.getRawReport(stored.id)).rejects.toThrow(/do not match their sha256/);
    });

    it('lists quarantined inputs by id, and takes one out unless it was quarantined again since', async () => {
      const store = await open();
      const reason = { code: 'not-xml', message: 'not XML' };
      const a = await store.quarantine(Buffer.from('a'), { description: 'a' }, reason);
      const b = await store.quarantine(Buffer.from('b'), { description: 'b' }, reason);
      expect((await store.listQuarantine({ ids: [b.id] })).map((e) => e.source)).toEqual(['b']);
      expect(await store.listQuarantine({ ids: [] })).toEqual([]);
      const [listed] = await store.listQuarantine({ ids: [a.id] });
      await store.quarantine(Buffer.from('a'), { description: 'a again' }, reason);
      expect(await store.releaseQuarantined(listed!)).toBe(false);
      expect(await store.releaseQuarantined({ id: a.id, times: 2 })).toBe(true);
      expect((await store.listQuarantine()).map((e) => e.id)).toEqual([b.id]);
      // An entry's places go with it.
      const places = await store.db.selectFrom('quarantine_sources').select('source').execute();
      expect(places.map((p) => p.source)).toEqual(['b']);
    });

    it('never gives a quarantined input the id of one that left the quarantine', async () => {
      const store = await open();
      const reason = { code: 'not-xml', message: 'not XML' };
      const quarantined = (name: string) => store.quarantine(xml(name), { description: name }, reason);
      // Each leaves as the newest entry: stored as a report alone, in a batch, or taken out.
      const alone = await quarantined('alone');
      await store.insertAggregateReport(
        { ...header({ reportId: 'alone' }), records: [record()] },
        xml('alone'),
        source,
      );
      const next = await quarantined('after alone');
      expect(next.id).toBeGreaterThan(alone.id);
      const batched = await quarantined('batched');
      await store.insertAggregateReports([
        { report: { ...header({ reportId: 'batched' }), records: [record()] }, raw: xml('batched'), source },
      ]);
      const taken = await quarantined('taken out');
      expect(taken.id).toBeGreaterThan(batched.id);
      expect(await store.releaseQuarantined({ id: taken.id, times: 1 })).toBe(true);
      const tls = await quarantined('tls');
      await store.insertTlsReport(tlsReport(), xml('tls'), source);
      expect((await quarantined('last')).id).toBeGreaterThan(tls.id);
    });

    it('quarantines unreadable inputs once per content, and releases them when they are stored', async () => {
      const store = await open();
      const bad = Buffer.from('H4sIAKImTmQAAyvNKy1OTQEA+UgslAYAAAA=', 'base64');
      const first = await store.quarantine(
        bad,
        { description: 'yahoo.eml > attachment 1' },
        {
          code: 'not-xml',
          message: 'This is not XML: it starts with "unused".',
        },
      );
      expect(first).toMatchObject({ status: 'stored' });
      const second = await store.quarantine(
        bad,
        { description: 'yahoo-again.eml' },
        {
          code: 'not-xml',
          message: 'still not XML',
        },
      );
      expect(second).toEqual({ status: 'duplicate', id: first.id });
      expect(await store.listQuarantine()).toEqual([
        {
          id: first.id,
          rawSha256: sha256(bad),
          rawSize: bad.length,
          source: 'yahoo-again.eml',
          errorCode: 'not-xml',
          errorMessage: 'still not XML',
          errorDetails: null,
          firstSeenAt: expect.any(Number),
          lastSeenAt: expect.any(Number),
          times: 2,
          // Every place the same bytes came from, the latest first.
          sources: ['yahoo-again.eml', 'yahoo.eml > attachment 1'],
          sourceCount: 2,
        },
      ]);
      // Why, kept as codes and values too (said in the reader's language when shown); they
      // replace the last ones with the words, and hold any text the engine keeps (a NUL).
      const details = {
        failures: [
          {
            kind: 'report' as const,
            code: 'not-xml',
            args: { start: 'unused\u0000', n: 3 },
            provenance: 'again.eml > attachment 1',
            source: 'again.eml > attachment 1',
          },
        ],
        more: 0,
      };
      await store.quarantine(bad, { description: 'again.eml' }, { code: 'not-xml', message: 'x', details });
      expect((await store.listQuarantine())[0]).toMatchObject({
        errorMessage: 'x',
        errorDetails: details,
        times: 3,
        sources: ['again.eml', expect.any(String), expect.any(String)],
        sourceCount: 3,
      });
      // The same place again is the same place; a retry names none.
      await store.quarantine(bad, { description: 'again.eml' }, { code: 'not-xml', message: 'x' });
      await store.quarantine(
        bad,
        { description: 'again.eml' },
        { code: 'not-xml', message: 'x' },
        { again: true },
      );
      expect((await store.listQuarantine())[0]).toMatchObject({ times: 4, sourceCount: 3 });
      expectBytes(await store.getRawReport(first.id, 'quarantine'), bad);
      expect(await store.findRaw(sha256(bad))).toEqual([{ kind: 'quarantine', id: first.id }]);
      expect((await store.countReports()).quarantined).toBe(1);

      // A fixed parser reads the same bytes as a failure report: it leaves the quarantine.
      const report = await store.insertFailureReport(failureReport(), bad, source);
      expect(report.status).toBe('stored');
      expect(await store.listQuarantine()).toEqual([]);
      expect(await store.db.selectFrom('quarantine_sources').selectAll().execute()).toEqual([]);
      expect(await store.findRaw(sha256(bad))).toEqual([{ kind: 'failure', id: report.id }]);
    });

    it('stores failure reports once per raw content and reads them back', async () => {
      const store = await open();
      const raw = Buffer.from(
        'Content-Type: multipart/report; report-type=feedback-report\r\n\r\n...'.repeat(10),
      );
      const report = failureReport();
      const stored = await store.insertFailureReport(report, raw, source);
      expect(stored).toMatchObject({ status: 'stored' });
      expect(await store.getFailureReport(stored.id)).toEqual({
        ...report,
        id: stored.id,
        rawSha256: sha256(raw),
        source: source.description,
        receivedAt: source.receivedAt,
        ingestedAt: expect.any(Number),
      });
      expect(await store.insertFailureReport(report, raw, source)).toEqual({
        status: 'duplicate',
        id: stored.id,
      });
      const bare = failureReport({ original: null, reportedDomains: [], arrivalTime: null });
      const other = await store.insertFailureReport(bare, Buffer.from('another'), { description: 'b.eml' });
      expect((await store.getFailureReport(other.id))?.original).toBeNull();
      expectBytes(await store.getRawReport(stored.id, 'failure'), raw);
      expect((await store.countReports()).failureReports).toBe(2);
      expect(await store.getFailureReport(9_999)).toBeUndefined();
    });

    it('keeps the domains failure and TLS reports are looked up by in lower case without a trailing dot, those stored before too', async () => {
      const store = await open();
      const tls = tlsReport();
      const stored = await store.insertTlsReport(
        { ...tls, policies: tls.policies.map((p) => ({ ...p, policyDomain: 'Acme.Example.' })) },
        Buffer.from('tls cased'),
        source,
      );
      expect((await store.getTlsReport(stored.id))?.policies[0]?.policyDomain).toBe('acme.example');
      const ruf = await store.insertFailureReport(
        failureReport({ reportedDomains: ['Sender.EXAMPLE.'] }),
        Buffer.from('ruf cased'),
        source,
      );
      const row = () =>
        store.db
          .selectFrom('failure_reports')
          .select('reported_domain')
          .where('id', '=', ruf.id)
          .executeTakeFirstOrThrow();
      expect((await row()).reported_domain).toBe('sender.example');
      // What the report said stays in its own list.
      expect((await store.getFailureReport(ruf.id))?.reportedDomains).toEqual(['Sender.EXAMPLE.']);
      // Rows stored before 0020 are brought to the same form.
      await store.db.updateTable('failure_reports').set({ reported_domain: 'Sender.EXAMPLE.' }).execute();
      await store.db.updateTable('tls_policies').set({ policy_domain: 'Acme.Example.' }).execute();
      await lookupDomains().up(store.db);
      expect((await row()).reported_domain).toBe('sender.example');
      expect((await store.getTlsReport(stored.id))?.policies[0]?.policyDomain).toBe('acme.example');
    });

    it('brings the lookup domains of failure and TLS reports stored before 0020 to the form when they hold a capital past ASCII', async () => {
      const store = await open();
      const tls = tlsReport();
      const stored = await store.insertTlsReport(
        { ...tls, policies: tls.policies.map((p) => ({ ...p, policyDomain: 'Bäckerei.EXAMPLE' })) },
        Buffer.from('tls bäckerei'),
        source,
      );
      const ruf = await store.insertFailureReport(
        failureReport({ reportedDomains: ['BÄCKEREI.Example.'] }),
        Buffer.from('ruf bäckerei'),
        source,
      );
      const domains = async () => [
        (
          await store.db
            .selectFrom('failure_reports')
            .select('reported_domain')
            .where('id', '=', ruf.id)
            .executeTakeFirstOrThrow()
        ).reported_domain,
        ...(await store.getTlsReport(stored.id))!.policies.map((p) => p.policyDomain),
      ];
      expect(await domains()).toEqual(['bäckerei.example', 'bäckerei.example', 'bäckerei.example']);
      // As stored before 0020, then as 0020 left them (on SQLite, 'bÄckerei.example').
      await store.db.updateTable('failure_reports').set({ reported_domain: 'BÄCKEREI.Example.' }).execute();
      await store.db.updateTable('tls_policies').set({ policy_domain: 'Bäckerei.EXAMPLE\t' }).execute();
      await lookupDomains().up(store.db);
      await lookupDomainsUnicode(store.engine).up(store.db);
      expect(await domains()).toEqual(['bäckerei.example', 'bäckerei.example', 'bäckerei.example']);
    });

    it('finds a failure report under each Reported-Domain it names, those stored before too', async () => {
      const store = await open();
      const ruf = await store.insertFailureReport(
        failureReport({ reportedDomains: ['Other.Example.', 'a.example', 'other.example', ''] }),
        Buffer.from('ruf naming two domains'),
        source,
      );
      const domains = async () =>
        (
          await store.db
            .selectFrom('failure_report_domains')
            .select(['failure_report_id', 'domain'])
            .orderBy('domain')
            .execute()
        ).map((r) => [Number(r.failure_report_id), r.domain]);
      expect(await domains()).toEqual([
        [ruf.id, 'a.example'],
        [ruf.id, 'other.example'],
      ]);
      // Reports stored before 0022 get theirs.
      await store.db.deleteFrom('failure_report_domains').execute();
      await store.db.schema.dropTable('failure_report_domains').execute();
      await failureReportDomains(store.engine).up(store.db);
      expect(await domains()).toEqual([
        [ruf.id, 'a.example'],
        [ruf.id, 'other.example'],
      ]);
      // They go with their report.
      await store.db.deleteFrom('failure_reports').where('id', '=', ruf.id).execute();
      expect(await domains()).toEqual([]);
    });

    it('stores a failure report once when its mail comes again in other bytes, but every incident a reporter sends under one Message-ID', async () => {
      const store = await open();
      const report = failureReport();
      const first = await store.insertFailureReport(report, Buffer.from('ruf\n'), source);
      // The same mail as IMAP gives it (CRLF), or with a header added on the way.
      for (const again of ['ruf\r\n', 'Delivered-To: dmarc@example.jp\nruf\n'])
        expect(await store.insertFailureReport(report, Buffer.from(again), source)).toEqual({
          status: 'duplicate',
          id: first.id,
        });
      // Another incident under the same Message-ID (a reporter that gives every mail one) is kept.
      const other = { ...report, sourceIp: '203.0.113.9' };
      expect(await store.insertFailureReport(other, Buffer.from('ruf 2\n'), source)).toMatchObject({
        status: 'stored',
      });
      expect((await store.countReports()).failureReports).toBe(2);
    });

    it('says a whole number too large to store is too large, not that it is not a whole number', async () => {
      const store = await open();
      const attempt = store.insertFailureReport(
        failureReport({ incidents: 1e20 }),
        Buffer.from('big'),
        source,
      );
      await expect(attempt).rejects.toMatchObject({
        code: 'number-too-large',
        message: `Incidents is 100000000000000000000, larger than ${Number.MAX_SAFE_INTEGER}, the largest whole number stored`,
      });
    });

    it('stores SMTP TLS reports once per raw content and per organisation + report ID', async () => {
      const store = await open();
      const raw = Buffer.from(JSON.stringify({ 'organization-name': 'Reporter Inc.' }));
      const report = tlsReport();
      const stored = await store.insertTlsReport(report, raw, source);
      expect(stored).toEqual({ status: 'stored', id: expect.any(Number), records: 2, messages: 5_639 });
      expect(await store.getTlsReport(stored.id)).toEqual({
        ...report,
        id: stored.id,
        rawSha256: sha256(raw),
        source: source.description,
        receivedAt: source.receivedAt,
        ingestedAt: expect.any(Number),
        copies: [],
      });
      expect(await store.insertTlsReport(report, raw, source)).toEqual({
        status: 'duplicate',
        id: stored.id,
      });
      // Other bytes, same organisation and report ID, fewer sessions: a duplicate, its bytes kept
      // as a copy once.
      const reserialised = Buffer.from(`${raw.toString()}\n`);
      const resent = { description: 'resent\u0000.json', receivedAt: null };
      const thinner = tlsReport();
      thinner.policies[0]!.totalSuccessfulSessionCount = 5_000;
      const copied = await store.insertTlsReport(thinner, reserialised, resent);
      expect(copied).toEqual({ status: 'duplicate', id: stored.id, copy: expect.any(Number) });
      expect(await store.insertTlsReport(thinner, reserialised, source)).toEqual({
        status: 'duplicate',
        id: stored.id,
      });
      const copy = (copied as { copy: number }).copy;
      expect((await store.getTlsReport(stored.id))?.copies).toEqual([
        {
          id: copy,
          rawSha256: sha256(reserialised),
          rawSize: reserialised.length,
          source: resent.description,
          receivedAt: null,
          ingestedAt: expect.any(Number),
        },
      ]);
      expectBytes(await store.getRawReport(copy, 'tls-copy'), reserialised);
      const next = await store.insertTlsReport(tlsReport({ reportId: 'next' }), reserialised, source);
      expect(next.status).toBe('stored');
      const negative = tlsReport({ reportId: 'neg' });
      negative.policies[0]!.totalFailureSessionCount = -3;
      await expect(store.insertTlsReport(negative, Buffer.from('neg'), source)).rejects.toMatchObject({
        code: 'invalid-count',
        message: `policy 0: total-failure-session-count is -3; a count is a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
      });
      expect((await store.countReports()).tlsReports).toBe(2);
      expectBytes(await store.getRawReport(stored.id, 'tls'), raw);
    });

    it('counts the fullest copy of an SMTP TLS report, whatever order the copies arrive in', async () => {
      const fuller = tlsReport();
      fuller.policies[1]!.totalFailureSessionCount += 10;
      fuller.policies[0]!.failureDetails.pop();
      const copies = [
        { report: tlsReport(), raw: Buffer.from('{"copy": 1}'), source: { description: 'first' } },
        { report: fuller, raw: Buffer.from('{"copy": 2}'), source: { description: 'fuller' } },
      ];
      for (const order of [copies, [...copies].reverse()]) {
        const store = await open();
        const outcomes = [];
        for (const c of order) outcomes.push(await store.insertTlsReport(c.report, c.raw, c.source));
        const id = outcomes[0]!.id;
        expect(outcomes[1]).toEqual(
          order[1] === copies[1]
            ? { status: 'duplicate', id, copy: expect.any(Number), gained: { records: 0, messages: 10 } }
            : { status: 'duplicate', id, copy: expect.any(Number) },
        );
        const counted = await store.getTlsReport(id);
        expect(counted).toMatchObject({ ...fuller, source: 'fuller', rawSha256: sha256(copies[1]!.raw) });
        expect(counted?.copies.map((c) => c.source)).toEqual(['first']);
        expectBytes(await store.getRawReport(counted!.copies[0]!.id, 'tls-copy'), copies[0]!.raw);
        expect(await store.countReports()).toMatchObject({ tlsReports: 1 });
        // Both again: nothing changes.
        for (const c of copies)
          expect((await store.insertTlsReport(c.report, c.raw, c.source)).status).toBe('duplicate');
        expect((await store.getTlsReport(id))?.copies).toHaveLength(1);
      }
    });

    it('stores hostile header values verbatim in a batch too (a COPY of the report rows on PostgreSQL)', async () => {
      const store = await open();
      const items = HOSTILE.map((value, i) => {
        const h = header({ orgName: value, reportId: value, domain: `${value}.${i}` });
        h.metadata.errors = [value];
        h.metadata.generator = value;
        h.policyPublished.fo = value;
        return {
          report: { ...h, records: [recordHolding(value)] },
          raw: Buffer.from(value),
          source: { description: value },
        };
      });
      const outcomes = await store.insertAggregateReports(items);
      for (const [i, value] of HOSTILE.entries()) {
        const outcome = outcomes[i]!;
        if (outcome instanceof Error || outcome.status !== 'stored') throw new Error(`${value}: not stored`);
        const stored = await store.getAggregateReport(outcome.id);
        expect(stored?.reporter.orgName).toBe(value);
        expect(stored?.metadata.reportId).toBe(value);
        expect(stored?.metadata.generator).toBe(value);
        expect(stored?.metadata.errors).toEqual([value]);
        expect(stored?.policyPublished).toMatchObject({ domain: `${value}.${i}`, fo: value });
        expect(stored?.source).toBe(value);
        expect(stored?.records).toEqual([recordHolding(value)]);
        expectBytes(await store.getRawReport(outcome.id), Buffer.from(value));
      }
      // Found again by those values: duplicates all.
      const again = await store.insertAggregateReports(items);
      expect(again.map((o) => (o instanceof Error ? o.message : o.status))).toEqual(
        HOSTILE.map(() => 'duplicate'),
      );
    });

    it('stores hostile values verbatim, and still finds duplicates by them', async () => {
      const store = await open();
      for (const [i, value] of HOSTILE.entries()) {
        const records = [recordHolding(value)];
        const h = header({ orgName: value, reportId: value, domain: `${value}.${i}` });
        h.metadata.errors = [value];
        h.metadata.generator = value;
        h.policyPublished.fo = value;
        const outcome = await store.insertAggregateReport({ ...h, records }, Buffer.from(value), {
          description: value,
        });
        expect(outcome.status).toBe('stored');
        const stored = await store.getAggregateReport(outcome.id);
        expect(stored?.reporter.orgName).toBe(value);
        expect(stored?.metadata.reportId).toBe(value);
        expect(stored?.metadata.errors).toEqual([value]);
        expect(stored?.policyPublished.domain).toBe(`${value}.${i}`);
        expect(stored?.source).toBe(value);
        expect(stored?.records).toEqual(records);
        expectBytes(await store.getRawReport(outcome.id), Buffer.from(value));
        expect(
          await store.insertAggregateReport({ ...h, records: untouchable() }, Buffer.from(value), source),
        ).toEqual({ status: 'duplicate', id: outcome.id });
        expect((await store.listReports({ domain: `${value}.${i}` })).map((r) => r.orgName)).toEqual([value]);

        const failure = failureReport({ description: value, fields: [{ name: value, value }] });
        failure.original!.subject = value;
        const f = await store.insertFailureReport(failure, Buffer.from(`failure ${value}`), source);
        expect((await store.getFailureReport(f.id))?.original?.subject).toBe(value);
        expect((await store.getFailureReport(f.id))?.fields).toEqual([{ name: value, value }]);

        const tls = tlsReport({ organizationName: value, reportId: value });
        tls.policies[0]!.failureDetails[0]!.additionalInformation = value;
        const t = await store.insertTlsReport(tls, Buffer.from(`tls ${value}`), source);
        expect(await store.getTlsReport(t.id)).toMatchObject({ organizationName: value, reportId: value });
        expect((await store.getTlsReport(t.id))?.policies[0]?.failureDetails[0]?.additionalInformation).toBe(
          value,
        );

        const q = await store.quarantine(
          Buffer.from(`bad ${value}`),
          { description: value },
          {
            code: 'not-xml',
            message: value,
          },
        );
        expect((await store.listQuarantine()).find((e) => e.id === q.id)?.errorMessage).toBe(value);
      }
    });

    it('sums a large report whose senders come again in every part of it into one rollup row each', async () => {
      const store = await open();
      // More records than one statement or one part of the rollup holds, so that the rollup is
      // written in parts (upserts on SQLite, appends merged at commit on PostgreSQL) that add up.
      const size = Math.max(ROWS_PER_STATEMENT[store.engine], ROLLUP_MAX_PENDING_ROWS) * 2 + 7;
      const senders = 1_500;
      const records = Array.from({ length: size }, (_, i) =>
        record({ sourceIp: `192.0.${Math.floor((i % senders) / 250)}.${i % 250}`, count: 1 + (i % 3) }),
      );
      const outcome = await store.insertAggregateReport({ ...header(), records }, xml('large'), source);
      expect(outcome).toMatchObject({ status: 'stored', records: size });
      const rows = await rollupRows(store);
      expect(rows).toHaveLength(senders);
      const expected = new Map<string, number>();
      for (const r of records) expected.set(r.sourceIp!, (expected.get(r.sourceIp!) ?? 0) + r.count);
      expect(new Map(rows.map((row) => [row.source_ip, Number(row.messages)]))).toEqual(expected);
    });

    it('adds the senders of a large report, each once, when no key repeats in any part of it', async () => {
      const store = await open();
      // Every key distinct, over several parts: on PostgreSQL each part's rows are appended as
      // they are and the commit's compaction finds nothing to merge.
      const size = Math.max(ROWS_PER_STATEMENT[store.engine], ROLLUP_MAX_PENDING_ROWS) * 2 + 7;
      const ip = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      const records = Array.from({ length: size }, (_, i) => record({ sourceIp: ip(i), count: 1 + (i % 5) }));
      await store.insertAggregateReport({ ...header(), records }, xml('distinct'), source);
      // A second report on the same day, from some of the same senders: their sums add up.
      const again = Array.from({ length: 100 }, (_, i) =>
        record({ sourceIp: ip(i * 2 + (i % 2)), count: 1000 }),
      );
      await store.insertAggregateReport(
        { ...header({ orgName: 'Again', reportId: 'again' }), records: again },
        xml('again'),
        source,
      );
      const expected = new Map<string, number>();
      for (const r of [...records, ...again])
        expected.set(r.sourceIp!, (expected.get(r.sourceIp!) ?? 0) + r.count);
      const rows = await rollupRows(store);
      expect(rows).toHaveLength(size);
      expect(new Map(rows.map((row) => [row.source_ip, Number(row.messages)]))).toEqual(expected);
    });

    it('keeps a daily rollup equal to the sum of the records (hand-computed fixture)', async () => {
      const store = await open();
      const rec = (
        ip: string | null,
        count: number,
        disposition: 'none' | 'quarantine' | null,
        aligned: boolean,
        from: string,
      ) =>
        record({
          sourceIp: ip,
          count,
          headerFrom: from,
          policyEvaluated: {
            disposition,
            dkim: aligned ? 'pass' : 'fail',
            spf: aligned ? 'pass' : 'fail',
            reasons: [],
          },
        });
      // Report A: Google-style window, 2025-01-01 00:00:00 .. 23:59:59.
      await store.insertAggregateReport(
        {
          ...header({ orgName: 'A', reportId: 'a' }),
          records: [
            rec('192.0.2.1', 5, 'none', true, 'example.jp'),
            rec('192.0.2.1', 3, 'none', true, 'example.jp'),
            rec('198.51.100.7', 2, 'none', false, 'news.example.jp'),
            rec(null, 4, null, false, 'example.jp'),
          ],
        },
        xml('a'),
        source,
      );
      // Report B: Microsoft-style window, 2025-01-01 00:00:00 .. 2025-01-02 00:00:00: still Jan 1.
      await store.insertAggregateReport(
        {
          ...header({ orgName: 'B', reportId: 'b', end: JAN_1 + DAY }),
          records: [
            rec('192.0.2.1', 10, 'none', true, 'example.jp'),
            rec('2001:db8::1', 1, 'quarantine', false, 'example.jp'),
          ],
        },
        xml('b'),
        source,
      );
      // Report C: a JST-midnight window (15:00 UTC to 15:00 UTC): most of it is on Jan 2.
      await store.insertAggregateReport(
        {
          ...header({ orgName: 'C', reportId: 'c', begin: JAN_1 + 15 * 3600, end: JAN_1 + DAY + 15 * 3600 }),
          records: [rec('192.0.2.1', 7, 'none', true, 'example.jp')],
        },
        xml('c'),
        source,
      );
      // Report D: another domain, and a rollup-less insert (bench comparison) adds nothing.
      await store.insertAggregateReport(
        {
          ...header({ orgName: 'D', reportId: 'd', domain: 'example.com' }),
          records: [rec('192.0.2.9', 6, 'none', true, 'example.com')],
        },
        xml('d'),
        source,
      );
      await store.insertAggregateReport(
        {
          ...header({ orgName: 'E', reportId: 'e' }),
          records: [rec('192.0.2.1', 100, 'none', true, 'example.jp')],
        },
        xml('e'),
        source,
        { rollup: false },
      );
      const keys = [
        'policy_domain',
        'day',
        'source_ip',
        'header_from',
        'disposition',
        'dkim',
        'spf',
      ] as const;
      const rows = await store.db
        .selectFrom('source_rollup')
        .select(keys)
        .select((eb) => eb.fn.sum<number>('messages').as('messages'))
        .groupBy(keys)
        .orderBy('policy_domain')
        .orderBy('day')
        .orderBy('source_ip')
        .orderBy('header_from')
        .orderBy('disposition')
        .orderBy('dkim')
        .orderBy('spf')
        .execute();
      const jan2 = JAN_1 + DAY;
      expect(rows).toEqual([
        {
          policy_domain: 'example.com',
          day: JAN_1,
          source_ip: '192.0.2.9',
          header_from: 'example.com',
          disposition: 'none',
          dkim: 'pass',
          spf: 'pass',
          messages: 6,
        },
        {
          policy_domain: 'example.jp',
          day: JAN_1,
          source_ip: '',
          header_from: 'example.jp',
          disposition: '',
          dkim: 'fail',
          spf: 'fail',
          messages: 4,
        },
        {
          policy_domain: 'example.jp',
          day: JAN_1,
          source_ip: '192.0.2.1',
          header_from: 'example.jp',
          disposition: 'none',
          dkim: 'pass',
          spf: 'pass',
          messages: 18,
        },
        {
          policy_domain: 'example.jp',
          day: JAN_1,
          source_ip: '198.51.100.7',
          header_from: 'news.example.jp',
          disposition: 'none',
          dkim: 'fail',
          spf: 'fail',
          messages: 2,
        },
        {
          policy_domain: 'example.jp',
          day: JAN_1,
          source_ip: '2001:db8::1',
          header_from: 'example.jp',
          disposition: 'quarantine',
          dkim: 'fail',
          spf: 'fail',
          messages: 1,
        },
        {
          policy_domain: 'example.jp',
          day: jan2,
          source_ip: '192.0.2.1',
          header_from: 'example.jp',
          disposition: 'none',
          dkim: 'pass',
          spf: 'pass',
          messages: 7,
        },
      ]);
      const counts = await store.countReports();
      const rolledUp = rows.reduce((sum, r) => sum + r.messages, 0);
      expect(rolledUp).toBe(counts.messages - 100);
      expect(rolledUp).toBe(6 + 4 + 18 + 2 + 1 + 7);
    });

    it('keeps a per-source rollup with every auth result flattened, spaces removed and lengths capped', async () => {
      const store = await open();
      const longFrom = `${'ｘ'.repeat(300)}.example.jp`;
      const rec = record({
        sourceIp: '192.0.2.8',
        count: 3,
        headerFrom: longFrom,
        policyEvaluated: {
          disposition: 'none',
          dkim: 'fail',
          spf: 'pass',
          reasons: [
            { type: 'forwarded', comment: 'x' },
            { type: 'local policy', comment: null },
          ],
        },
        authResults: {
          dkim: [
            { domain: 'esp .example', selector: 's', result: 'pass', humanResult: null },
            { domain: null, selector: null, result: 'fail', humanResult: null },
          ],
          spf: [{ domain: 'bounce.esp.example', scope: 'mfrom', result: 'pass', humanResult: null }],
        },
      });
      await store.insertAggregateReport(
        { ...header({ reportId: 'src-1' }), records: [rec, rec] },
        xml('s1'),
        source,
      );
      await store.insertAggregateReports([
        { report: { ...header({ reportId: 'src-2' }), records: [rec] }, raw: xml('s2'), source },
      ]);
      const rows = await store.db.selectFrom('source_rollup').selectAll().execute();
      expect(rows).toEqual([
        {
          policy_domain: 'example.jp',
          day: JAN_1,
          source_ip: '192.0.2.8',
          header_from: 'ｘ'.repeat(255),
          disposition: 'none',
          dkim: 'fail',
          spf: 'pass',
          adkim: header().policyPublished.adkim ?? '',
          aspf: header().policyPublished.aspf ?? '',
          dkim_auth: 'esp.example:pass :fail',
          spf_auth: 'bounce.esp.example:mfrom:pass',
          reasons: 'forwarded localpolicy',
          messages: 9,
        },
      ]);
    });

    it('migration 0006 fills source_rollup again from the stored records, as ingest sums them', async () => {
      const varied = (i: number) =>
        record({
          sourceIp: i % 5 === 0 ? null : `192.0.2.${i % 9}`,
          count: 1 + (i % 4),
          headerFrom: i % 3 === 0 ? 'news.example.jp' : 'example.jp',
          policyEvaluated: {
            disposition: (['none', 'quarantine', 'reject', null] as const)[i % 4]!,
            dkim: i % 2 === 0 ? 'pass' : 'fail',
            spf: i % 3 === 0 ? null : 'fail',
            reasons:
              i % 6 === 0
                ? [
                    { type: 'forwarded', comment: null },
                    { type: 'local policy', comment: 'x' },
                  ]
                : [],
          },
          authResults: {
            dkim:
              i % 7 === 0
                ? []
                : [{ domain: `d${i % 2}.example`, selector: 's', result: 'pass', humanResult: null }],
            spf: [
              { domain: 'bounce.example', scope: 'mfrom', result: 'pass', humanResult: null },
              { domain: null, scope: null, result: 'none', humanResult: null },
            ],
          },
        });
      const reports = [0, 1, 2, 3, 4].map((n) => ({
        ...header({
          orgName: `R${n % 2}`,
          reportId: `mig-${n}`,
          begin: JAN_1 + (n % 3) * DAY,
          domain: n === 4 ? 'example.com' : 'example.jp',
        }),
        records: Array.from({ length: 12 + n }, (_, i) => varied(i + n)),
      }));
      const ingested = await open();
      await ingested.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`m${i}`), source })),
      );
      const migrated = await open();
      await migrated.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`m${i}`), source })),
        { rollup: false },
      );
      // The store as 0005 left it: both old rollups present (their rows do not matter), the
      // records' results in their own tables.
      await asBefore0008(migrated);
      await migrated.db.schema.createTable('daily_rollup').addColumn('day', 'integer').execute();
      await allMigrations(migrated.engine)['0006-one-rollup']!.up(migrated.db);
      const expected = await rollupRows(ingested);
      expect(expected.length).toBeGreaterThan(20);
      expect(await rollupRows(migrated)).toEqual(expected);
    });

    it('keeps reasons and auth results whatever their strings, and migration 0008 moves the old rows into the record', async () => {
      const odd = ['"quoted" \\ back', 'nul\u0000inside', 'ffff\uffff0', 'tab\tline\n', '署名 🔑', ''];
      const results = (i: number): AggregateRecord =>
        record({
          policyEvaluated: {
            disposition: 'none',
            dkim: 'fail',
            spf: 'pass',
            reasons:
              i % 3 === 0
                ? []
                : [
                    { type: 'forwarded', comment: odd[i % odd.length]! },
                    { type: 'other', comment: null },
                  ],
          },
          authResults: {
            dkim:
              i % 4 === 0
                ? []
                : odd.slice(0, 1 + (i % 5)).map((text, n) => ({
                    domain: `d${n}.example`,
                    selector: text,
                    result: n % 2 === 0 ? ('pass' as const) : ('fail' as const),
                    humanResult: n === 1 ? text : null,
                  })),
            spf:
              i % 5 === 0
                ? []
                : [
                    { domain: odd[i % odd.length]!, scope: 'mfrom', result: 'pass', humanResult: null },
                    { domain: null, scope: null, result: 'none', humanResult: 'none at all' },
                  ],
          },
        });
      const reports = [0, 1].map((n) => ({
        ...header({ reportId: `results-${n}` }),
        records: Array.from({ length: 30 }, (_, i) => results(i + n)),
      }));
      const store = await open();
      const outcomes = await store.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`r${i}`), source })),
      );
      const ids = outcomes.map((o) => (o instanceof Error || o.status !== 'stored' ? -1 : o.id));
      for (const [i, id] of ids.entries()) {
        expect((await store.getAggregateReport(id))?.records).toEqual(reports[i]!.records);
      }

      // A store written before 0008: its results in their own tables, moved by the migration.
      await asBefore0008(store);
      await allMigrations(store.engine)['0008-results-in-records']!.up(store.db);
      for (const [i, id] of ids.entries()) {
        expect((await store.getAggregateReport(id))?.records).toEqual(reports[i]!.records);
      }
    });

    it('keeps records without a foreign key to their report on PostgreSQL (migration 0009); SQLite keeps it', async () => {
      const store = await open();
      const reports = [0, 1, 2].map((n) => ({
        ...header({ reportId: `fk-${n}` }),
        records: [...manyRecords(40 + n)],
      }));
      const outcomes = await store.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`fk${i}`), source })),
      );
      const ids = outcomes.map((o) => (o instanceof Error || o.status !== 'stored' ? -1 : o.id));
      const foreignKeys = async () =>
        store.engine === 'sqlite'
          ? (await sql`select * from pragma_foreign_key_list('records')`.execute(store.db)).rows.length
          : Number(
              (
                await sql<{
                  n: number;
                }>`select count(*) as n from pg_constraint where conrelid = 'records'::regclass and contype = 'f'`.execute(
                  store.db,
                )
              ).rows[0]?.n,
            );
      expect(await foreignKeys()).toBe(store.engine === 'sqlite' ? 1 : 0);
      await allMigrations(store.engine)['0009-records-unchecked-key']!.up(store.db);
      for (const [i, id] of ids.entries()) {
        expect((await store.getAggregateReport(id))?.records).toEqual(reports[i]!.records);
      }
    });

    it('keeps reports without a foreign key to their reporter on PostgreSQL (migration 0014); SQLite keeps it', async () => {
      const store = await open();
      const outcomes = await store.insertAggregateReports(
        [0, 1].map((n) => ({
          report: {
            ...header({ orgName: `fk-reporter-${n}`, reportId: `fk-r-${n}` }),
            records: [...manyRecords(2)],
          },
          raw: xml(`fkr${n}`),
          source,
        })),
      );
      const reporterKeys = async () =>
        store.engine === 'sqlite'
          ? (
              await sql`select * from pragma_foreign_key_list('reports') where "table" = 'reporters'`.execute(
                store.db,
              )
            ).rows.length
          : Number(
              (
                await sql<{ n: number }>`select count(*) as n from pg_constraint
                  where conrelid = 'reports'::regclass and contype = 'f' and confrelid = 'reporters'::regclass`.execute(
                  store.db,
                )
              ).rows[0]?.n,
            );
      expect(await reporterKeys()).toBe(store.engine === 'sqlite' ? 1 : 0);
      // Run again over a store that has it already: nothing to do, nothing lost.
      await allMigrations(store.engine)['0014-reports-unchecked-reporter']!.up(store.db);
      for (const [n, outcome] of outcomes.entries()) {
        if (outcome instanceof Error || outcome.status !== 'stored') throw new Error('not stored');
        expect((await store.getAggregateReport(outcome.id))?.reporter.orgName).toBe(`fk-reporter-${n}`);
      }
    });

    it('stores a batch of reports as they would be stored one by one, rollup included', async () => {
      const reports = [0, 1, 2, 3].map((i) => ({
        ...header({ orgName: `R${i % 2}`, reportId: `batch-${i}`, begin: JAN_1 + (i % 2) * DAY }),
        records: [...manyRecords(3 + i)],
        warnings: i === 2 ? [{ code: 'bom' as const, count: 1 }] : [],
      }));
      const one = await open();
      for (const [i, report] of reports.entries())
        await one.insertAggregateReport(report, xml(`b${i}`), source);
      const together = await open();
      const outcomes = await together.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`b${i}`), source })),
      );
      expect(outcomes.map((o) => !(o instanceof Error) && o.status)).toEqual([
        'stored',
        'stored',
        'stored',
        'stored',
      ]);
      expect(outcomes.map((o) => !(o instanceof Error) && o.status === 'stored' && o.records)).toEqual([
        3, 4, 5, 6,
      ]);
      expect(await together.countReports()).toEqual(await one.countReports());
      expect(await rollupRows(together)).toEqual(await rollupRows(one));
      expect((await rollupRows(together)).length).toBeGreaterThan(0);
      for (const outcome of outcomes) {
        if (outcome instanceof Error || outcome.status !== 'stored') throw new Error('not stored');
        const stored = await together.getAggregateReport(outcome.id);
        const i = outcomes.indexOf(outcome);
        expect(stored?.records).toEqual(reports[i]!.records);
        expect(stored?.warnings).toEqual(reports[i]!.warnings);
        expectBytes(await together.getRawReport(outcome.id), xml(`b${i}`));
      }
    });

    it('stores reports whose records were made into rows ahead (on a read thread) as it stores their records', async () => {
      const hostile = (value: string, i: number) => ({
        ...recordHolding(value),
        sourceIp: i % 2 === 0 ? '192.0.2.7' : '2001:db8::7',
        count: i + 1,
      });
      // Keys past the rollup's caps, and records of one key summed.
      const long = record({
        headerFrom: `${'long'.repeat(80)}.example.jp`,
        authResults: {
          dkim: Array.from({ length: 60 }, (_, i) => ({
            domain: `d${i}.example.jp`,
            selector: 's',
            result: 'pass' as const,
            humanResult: null,
          })),
          spf: [],
        },
      });
      const reports = [0, 1, 2].map((n) => ({
        ...header({ orgName: `P${n}`, reportId: `prepared-${n}`, begin: JAN_1 + n * DAY }),
        records: [...HOSTILE.map(hostile), ...manyRecords(n + 2), long, long, record({ headerFrom: null })],
      }));
      const oneByOne = await open();
      for (const [i, report] of reports.entries())
        await oneByOne.insertAggregateReport(report, xml(`p${i}`), source);
      const asRecords = await open();
      const outcomes = await asRecords.insertAggregateReports(
        reports.map((report, i) => ({ report, raw: xml(`p${i}`), source })),
      );
      const asRows = await open();
      // As they cross threads: by structured clone.
      const prepared = reports.map((report) =>
        structuredClone(prepareRecords(asRows.engine, report, report.records)),
      );
      for (const [i, p] of prepared.entries()) {
        if ('refused' in p) throw new Error('refused');
        expect(preparedRecords(p)).toEqual(reports[i]!.records);
      }
      const fromRows = await asRows.insertAggregateReports(
        reports.map((report, i) => ({
          report: { ...report, records: prepared[i]! },
          raw: xml(`p${i}`),
          source,
        })),
      );
      expect(fromRows).toEqual(outcomes);
      for (const [i, outcome] of fromRows.entries()) {
        if (outcome instanceof Error || outcome.status !== 'stored') throw new Error('not stored');
        expect((await asRows.getAggregateReport(outcome.id))?.records).toEqual(reports[i]!.records);
      }
      expect(await rollupRows(asRows)).toEqual(await rollupRows(asRecords));
      expect(await rollupRows(asRows)).toEqual(await rollupRows(oneByOne));
      // In a bulk run, staged (SQLite) and folded.
      const inBulk = await open();
      await inBulk.writingInBulk(() =>
        inBulk.insertAggregateReports(
          reports.map((report, i) => ({
            report: { ...report, records: prepared[i]! },
            raw: xml(`p${i}`),
            source,
          })),
        ),
      );
      expect(await rollupRows(inBulk)).toEqual(await rollupRows(oneByOne));

      // A report the store refuses is refused the same way, its rows made or not.
      const bad = { ...header({ reportId: 'bad-rows' }), records: [record(), record({ count: -1 })] };
      const refusedRows = prepareRecords(asRows.engine, bad, bad.records);
      expect(refusedRows).toEqual({ count: 2, refused: { code: 'invalid-count', args: expect.anything() } });
      const [refused] = await asRows.insertAggregateReports([
        { report: { ...bad, records: structuredClone(refusedRows) }, raw: xml('bad'), source },
      ]);
      const [refusedToo] = await asRecords.insertAggregateReports([{ report: bad, raw: xml('bad'), source }]);
      expect(refused).toBeInstanceOf(StoreInputError);
      expect((refused as StoreInputError).message).toBe((refusedToo as StoreInputError).message);

      // Rows made for the other engine are a bug of the caller, not a report to refuse.
      const other = engine.name === 'sqlite' ? 'postgres' : 'sqlite';
      const report = { ...header({ reportId: 'other' }), records: [record()] };
      await expect(
        asRows.insertAggregateReports([
          {
            report: { ...report, records: prepareRecords(other, report, report.records) },
            raw: xml('o'),
            source,
          },
        ]),
      ).rejects.toThrow(`records prepared for ${other} given to a ${engine.name} store`);
    });

    if (engine.name === 'postgres') {
      it('PostgreSQL: migration 0013 keeps the rollup a store had, and later reports merge into it', async () => {
        const location = await engine.location();
        const before = await openStore(location);
        opened.push(before);
        const first = { ...header({ reportId: 'm13-1' }), records: [...manyRecords(6)] };
        await before.insertAggregateReport(first, xml('m13-1'), source);
        // The store as 0012 left it: the twelve-column key, no slice index.
        await sql`drop index source_rollup_slice`.execute(before.db);
        await sql`alter table source_rollup add constraint source_rollup_pk primary key (${sql.raw(
          SOURCE_ROLLUP_KEY.join(', '),
        )})`.execute(before.db);
        await sql`delete from sumi_migrations where name = '0013-rollup-appended'`.execute(before.db);
        const rows = await rollupRows(before);
        await before.close();
        opened.splice(opened.indexOf(before), 1);

        const after = await openStore(location);
        opened.push(after);
        const { rows: constraints } = await sql<{ name: string }>`
          select conname as name from pg_constraint where conrelid = 'source_rollup'::regclass`.execute(
          after.db,
        );
        expect(constraints).toEqual([]);
        const { rows: indexes } = await sql<{ name: string }>`
          select indexname as name from pg_indexes where tablename = 'source_rollup'
          and schemaname = current_schema()`.execute(after.db);
        expect(indexes).toEqual([{ name: 'source_rollup_slice' }]);
        expect(await rollupRows(after)).toEqual(rows);
        // The same records again under another report ID: each key's sum doubles, in one row.
        await after.insertAggregateReport(
          { ...first, ...header({ reportId: 'm13-2' }) },
          xml('m13-2'),
          source,
        );
        expect(await rollupRows(after)).toEqual(
          rows.map((row) => ({ ...row, messages: 2 * Number(row.messages) })),
        );
      });

      it('PostgreSQL: a bulk run meeting only stored reports compacts their slices (a killed run, run again)', async () => {
        const store = await open();
        const items = [0, 1, 2].map((i) => ({
          report: { ...header({ reportId: `k-${i}` }), records: [...manyRecords(4)] },
          raw: xml(`k${i}`),
          source,
        }));
        await store.insertAggregateReports(items);
        const rows = await rollupRows(store);
        // Each row in two, as a bulk run killed before its end leaves the keys its batches shared.
        await sql`insert into source_rollup select ${sql.raw(SOURCE_ROLLUP_KEY.join(', '))}, 1 from source_rollup`.execute(
          store.db,
        );
        await sql`update source_rollup set messages = messages - 1
          where ctid in (select min(ctid) from source_rollup group by ${sql.raw(SOURCE_ROLLUP_KEY.join(', '))})`.execute(
          store.db,
        );
        expect((await rollupRows(store)).length).toBe(2 * rows.length);
        const again = await store.writingInBulk(() => store.insertAggregateReports(items));
        expect(again.map((o) => (o instanceof Error ? o.message : o.status))).toEqual([
          'duplicate',
          'duplicate',
          'duplicate',
        ]);
        expect(await rollupRows(store)).toEqual(rows);
      });

      it('PostgreSQL: a bulk run compacts only the slices that need it: none when a slice holds its own rows, a key each', async () => {
        const store = await open();
        // The days of the slices each compaction was asked to merge.
        const merged: number[][] = [];
        const executor = store.db.getExecutor();
        const execute = executor.executeQuery.bind(executor);
        vi.spyOn(executor, 'executeQuery').mockImplementation((query) => {
          if (query.sql.includes('with merged')) merged.push((query.parameters[1] as number[]).map(Number));
          return execute(query);
        });
        const item = (reportId: string, day: number, records: AggregateRecord[]) => ({
          report: { ...header({ reportId, begin: JAN_1 + day * DAY }), records },
          raw: xml(reportId),
          source,
        });
        const day = (n: number) => JAN_1 + n * DAY;
        // Two slices, each written by two batches, every key once: nothing to merge.
        const [a, b, c] = [
          [...manyRecords(6)].slice(0, 3),
          [...manyRecords(6)].slice(3),
          [...manyRecords(2)],
        ];
        await store.writingInBulk(async () => {
          await store.insertAggregateReports([item('a', 0, a!), item('c', 1, c!)]);
          await store.insertAggregateReports([item('b', 0, b!)]);
        });
        expect(merged).toEqual([]);
        expect((await rollupRows(store)).length).toBe(8);
        // A slice holding rows from before the run, or a key given by two of its batches, is merged.
        await store.writingInBulk(async () => {
          await store.insertAggregateReports([item('a-again', 0, a!), item('d', 2, c!)]);
          await store.insertAggregateReports([item('d-again', 2, c!)]);
        });
        expect(merged.flat().sort()).toEqual([day(0), day(2)]);
        const rows = await rollupRows(store);
        expect(rows.length).toBe(8 + 2);
        const ofDay = (n: number) =>
          rows.filter((row) => Number(row.day) === day(n)).map((row) => row.messages);
        expect(ofDay(0)).toEqual([...a!, ...b!].map((r, i) => (i < 3 ? 2 : 1) * r.count));
        expect(ofDay(2)).toEqual(c!.map((r) => 2 * r.count));
      });

      it('PostgreSQL: two bulk runs appending the same keys to a slice at once leave it compacted, whichever counts first', async () => {
        const location = await engine.location();
        const [one, two] = [await openStore(location), await openStore(location)];
        opened.push(one, two);
        const records = [...manyRecords(5)];
        // Each run's keys once in it: only the other run's rows tell a slice needs merging.
        for (let day = 0; day < 8; day++) {
          const run = (store: Store, name: string) =>
            store.writingInBulk(() =>
              store.insertAggregateReports([
                {
                  report: { ...header({ reportId: `${name}-${day}`, begin: JAN_1 + day * DAY }), records },
                  raw: xml(`${name}-${day}`),
                  source,
                },
              ]),
            );
          await Promise.all([run(one, 'one'), run(two, 'two')]);
        }
        const rows = await rollupRows(one);
        expect(rows.length).toBe(8 * records.length);
        expect(rows.map((row) => Number(row.messages))).toEqual(
          Array.from({ length: 8 }, () => records.map((r) => 2 * r.count)).flat(),
        );
      });

      it('PostgreSQL: a bulk run over keys shared and repeated, counts of 0 and fuller copies leaves each key in one row, as one by one does', async () => {
        // A fixed sequence of choices (xorshift), so that a failure reads the same every time.
        let seed = 7;
        const next = (n: number) => {
          seed ^= seed << 13;
          seed ^= seed >>> 17;
          seed ^= seed << 5;
          return (seed >>> 0) % n;
        };
        const reports = Array.from({ length: 40 }, (_, i) => {
          const records = Array.from({ length: 1 + next(6) }, () =>
            record({
              sourceIp: `192.0.2.${next(8)}`,
              count: next(4),
              policyEvaluated: {
                disposition: 'none',
                dkim: next(2) ? 'pass' : 'fail',
                spf: 'pass',
                reasons: [],
              },
            }),
          );
          // Six days; the last ten come again as copies, fuller or not, of the first day's reports,
          // so that the other days' slices are met through no stored report.
          const again = i >= 30;
          const reportId = again ? `r-${6 * (i % 5)}` : `r-${i}`;
          return { ...header({ reportId, begin: JAN_1 + (again ? 0 : i % 6) * DAY }), records };
        });
        const items = reports.map((report, i) => ({ report, raw: xml(`r${i}`), source }));
        const one = await open();
        for (const item of items) await one.insertAggregateReport(item.report, item.raw, source);
        const bulk = await open();
        await bulk.writingInBulk(async () => {
          for (let from = 0; from < items.length; from += 7)
            await bulk.insertAggregateReports(items.slice(from, from + 7));
        });
        const rows = await rollupRows(bulk);
        expect(rows).toEqual(await rollupRows(one));
        expect(new Set(rows.map((row) => SOURCE_ROLLUP_KEY.map((k) => row[k]).join('|'))).size).toBe(
          rows.length,
        );
      });

      it('PostgreSQL: a report stored alone merges the keys of its own sources, or its slices whole when it has many', async () => {
        const store = await open();
        const key = sql.raw(SOURCE_ROLLUP_KEY.join(', '));
        // Keys in two rows each, as a killed bulk run leaves them: 10.0.0.0-10.0.0.3.
        await store.insertAggregateReport(
          { ...header({ reportId: 'a' }), records: [...manyRecords(4)] },
          xml('a'),
          source,
        );
        await sql`insert into source_rollup select ${key}, 1 from source_rollup`.execute(store.db);
        const rowsOf = async (ip: string) =>
          (await rollupRows(store)).filter((row) => row.source_ip === ip).length;
        // One source of its own, 10.0.0.0: its keys merge, the other sources' stay as they are.
        await store.insertAggregateReport(
          { ...header({ reportId: 'b' }), records: [...manyRecords(1)] },
          xml('b'),
          source,
        );
        expect(await rowsOf('10.0.0.0')).toBe(1);
        expect(await rowsOf('10.0.0.1')).toBe(2);
        // More sources than a compaction looks for one by one: the slice is merged whole.
        await store.insertAggregateReport(
          { ...header({ reportId: 'c', begin: JAN_1 }), records: [...manyRecords(1_001)] },
          xml('c'),
          source,
        );
        expect(await rowsOf('10.0.0.1')).toBe(1);
        expect(await rowsOf('10.0.0.3')).toBe(1);
        const sums = await rollupSums(store);
        expect(sums.find((row) => row.source_ip === '10.0.0.1')?.messages).toBe(2 + 1 + 2);
      });

      it('PostgreSQL: a bulk run whose closing compaction fails still stores every report, its sums right', async () => {
        await withOwnPostgresRole('sumi_test_no_delete', async (_server, _name, url) => {
          const store = await openStore(url);
          try {
            // The role may append to the rollup but not delete from it: every compaction fails.
            await sql`revoke delete on source_rollup from current_user`.execute(store.db);
            const items = [0, 1].map((i) => ({
              report: { ...header({ reportId: `nd-${i}` }), records: [...manyRecords(3)] },
              raw: xml(`nd${i}`),
              source,
            }));
            const outcomes = await store.writingInBulk(() => store.insertAggregateReports(items));
            expect(outcomes.map((o) => (o instanceof Error ? o.message : o.status))).toEqual([
              'stored',
              'stored',
            ]);
            expect((await rollupRows(store)).length).toBe(6);
            expect((await rollupSums(store)).map((row) => row.messages)).toEqual([2, 4, 6]);
          } finally {
            await store.close();
          }
        });
      });

      it('PostgreSQL: compactions of one slice at once, while rows are appended to it, keep every sum', async () => {
        const store = await open();
        await store.insertAggregateReport(
          { ...header({ reportId: 'c-1' }), records: [...manyRecords(5)] },
          xml('c-1'),
          source,
        );
        const once = await rollupSums(store);
        const slice = { policyDomain: once[0]!.policy_domain, day: once[0]!.day };
        const total = (sums: { messages: number }[]) => sums.reduce((sum, r) => sum + r.messages, 0);
        // Each key in three rows, as three batches' appends leave it.
        await sql`insert into source_rollup select * from source_rollup`.execute(store.db);
        await sql`insert into source_rollup select * from source_rollup limit ${once.length}`.execute(
          store.db,
        );
        expect((await rollupRows(store)).length).toBe(3 * once.length);
        // Two compactions and a writer appending one more message per key, all at once.
        const append = sql`insert into source_rollup select ${sql.raw(SOURCE_ROLLUP_KEY.join(', '))}, 1
          from source_rollup limit ${once.length}`;
        await Promise.all([
          compactRollup(store.db, [slice]),
          compactRollup(store.db, [slice]),
          store.db.transaction().execute((trx) => append.execute(trx)),
        ]);
        expect(total(await rollupSums(store))).toBe(3 * total(once) + once.length);
        await compactRollup(store.db, [slice]);
        const rows = await rollupRows(store);
        expect(rows.length).toBe(once.length);
        expect(rows.map((r) => ({ ...r, day: Number(r.day), messages: Number(r.messages) }))).toEqual(
          once.map((r) => ({ ...r, messages: 3 * r.messages + 1 })),
        );
      });
    }

    it('adds the rollup sums of batches in a bulk run as one by one adds them (SQLite: staged, folded at its end)', async () => {
      const reports = [0, 1, 2, 3].map((i) => ({
        ...header({ orgName: `R${i % 2}`, reportId: `bulk-${i}`, begin: JAN_1 + (i % 2) * DAY }),
        records: [...manyRecords(3 + i)],
      }));
      const items = reports.map((report, i) => ({ report, raw: xml(`k${i}`), source }));
      const one = await open();
      for (const [i, report] of reports.entries())
        await one.insertAggregateReport(report, xml(`k${i}`), source);
      const bulk = await open();
      const during = await bulk.writingInBulk(async () => {
        await bulk.insertAggregateReports(items.slice(0, 2));
        await bulk.insertAggregateReports(items.slice(2));
        return {
          pending: await pendingMessages(bulk),
          rows: (await rollupRows(bulk)).length,
          sums: await rollupSums(bulk),
        };
      });
      const rows = await rollupRows(one);
      const messages = rows.reduce((sum, row) => sum + Number(row.messages), 0);
      if (engine.name === 'sqlite') expect(during).toEqual({ pending: messages, rows: 0, sums: [] });
      else {
        // PostgreSQL appends at once (KyselyStore.rollupTarget), the keys the batches share in
        // rows apart, which readers sum; the run's end merges them (compactRollup).
        expect(during.pending).toBe(0);
        expect(during.rows).toBeGreaterThan(rows.length);
        expect(during.sums).toEqual(await rollupSums(one));
      }
      expect(await rollupRows(bulk)).toEqual(rows);
      expect(await pendingMessages(bulk)).toBe(0);
    });

    it('stores the rest of a batch when one report is refused, and finds duplicates in and out of it', async () => {
      const store = await open();
      const earlier = await store.insertAggregateReport(
        { ...header({ reportId: 'old' }), records: [record({ count: 2 })] },
        xml('o'),
        source,
      );
      const bad = { ...header({ reportId: 'bad' }), records: [record(), record({ count: -1 })] };
      const good = { ...header({ reportId: 'good' }), records: [record({ count: 4 })] };
      // The copies sent again cover fewer messages than the ones stored, in the batch or before.
      const outcomes = await store.insertAggregateReports([
        { report: { ...good, records: [record({ count: 3 })] }, raw: xml('g2'), source },
        { report: bad, raw: xml('x'), source },
        { report: { ...header({ reportId: 'old' }), records: [record()] }, raw: xml('o2'), source },
        { report: good, raw: xml('g'), source },
      ]);
      expect(outcomes[3]).toMatchObject({ status: 'stored', records: 1, messages: 4 });
      expect(outcomes[1]).toBeInstanceOf(StoreInputError);
      expect((outcomes[1] as StoreInputError).code).toBe('invalid-count');
      // Both duplicates came with other bytes: each is kept as a copy of the report stored.
      expect(outcomes[2]).toEqual({ status: 'duplicate', id: earlier.id, copy: expect.any(Number) });
      const goodId = (outcomes[3] as { id: number }).id;
      expect(outcomes[0]).toEqual({ status: 'duplicate', id: goodId, copy: expect.any(Number) });
      expect((await store.countReports()).reports).toBe(2);
      expect(await rowCount(store, 'records')).toBe(2);
      expect(await store.countReports()).toMatchObject({ messages: 6 });
      expectBytes(await store.getRawReport((outcomes[2] as { copy: number }).copy, 'copy'), xml('o2'));
      expectBytes(await store.getRawReport((outcomes[0] as { copy: number }).copy, 'copy'), xml('g2'));
      // Again, with the same bytes twice in a batch: duplicates, nothing new kept.
      const again = await store.insertAggregateReports([
        { report: good, raw: xml('g2'), source },
        { report: good, raw: xml('g2'), source },
        { report: { ...header({ reportId: 'new' }), records: [record()] }, raw: xml('n'), source },
        { report: { ...header({ reportId: 'new' }), records: [record()] }, raw: xml('n'), source },
      ]);
      expect(again.slice(0, 2)).toEqual([
        { status: 'duplicate', id: goodId },
        { status: 'duplicate', id: goodId },
      ]);
      expect(again[3]).toEqual({ status: 'duplicate', id: (again[2] as { id: number }).id });
      expect(await rowCount(store, 'report_copies')).toBe(2);
    });

    it('lists reports by domain and window, newest first, with a limit', async () => {
      const store = await open();
      for (let day = 0; day < 5; day++) {
        await store.insertAggregateReport(
          { ...header({ reportId: `jp-${day}`, begin: JAN_1 + day * DAY }), records: manyRecords(day + 1) },
          xml(`jp-${day}`),
          { description: `jp-${day}.xml` },
        );
      }
      await store.insertAggregateReport(
        { ...header({ reportId: 'com', domain: 'example.com' }), records: manyRecords(1) },
        xml('com'),
        source,
      );
      const ids = (list: { reportId: string }[]) => list.map((r) => r.reportId);
      expect(ids(await store.listReports({ domain: 'example.jp' }))).toEqual([
        'jp-4',
        'jp-3',
        'jp-2',
        'jp-1',
        'jp-0',
      ]);
      expect(ids(await store.listReports({ domain: 'example.jp', limit: 2 }))).toEqual(['jp-4', 'jp-3']);
      // Windows overlapping [Jan 2 12:00, Jan 4 00:00): Jan 2 and Jan 3.
      expect(
        ids(
          await store.listReports({
            domain: 'example.jp',
            since: JAN_1 + DAY + DAY / 2,
            until: JAN_1 + 3 * DAY,
          }),
        ),
      ).toEqual(['jp-2', 'jp-1']);
      expect(await store.listReports({ domain: 'example.org' })).toEqual([]);
      const [latest] = await store.listReports({ domain: 'example.jp', limit: 1 });
      expect(latest).toEqual({
        id: expect.any(Number),
        orgName: 'Reporter Inc.',
        reportId: 'jp-4',
        policyDomain: 'example.jp',
        begin: JAN_1 + 4 * DAY,
        end: JAN_1 + 5 * DAY - 1,
        recordCount: 5,
        messageCount: [...manyRecords(5)].reduce((sum, r) => sum + r.count, 0),
        rawSha256: sha256(xml('jp-4')),
        source: 'jp-4.xml',
        receivedAt: null,
        ingestedAt: expect.any(Number),
      });
      expect(await store.countReports()).toEqual({
        reports: 6,
        records: 16,
        messages: [1, 2, 3, 4, 5, 1].reduce(
          (sum, n) => sum + [...manyRecords(n)].reduce((s, r) => s + r.count, 0),
          0,
        ),
        failureReports: 0,
        tlsReports: 0,
        quarantined: 0,
      });
    });

    it('shows each report with the contact it gave; the org keeps the first it was given, filled in, never emptied', async () => {
      const store = await open();
      const orgContact = async () =>
        store.db.selectFrom('reporters').select(['email', 'extra_contact_info']).executeTakeFirstOrThrow();
      const bare = header({ reportId: 'one' });
      bare.reporter = { orgName: 'Reporter Inc.', email: null, extraContactInfo: null };
      const first = await store.insertAggregateReport({ ...bare, records: [record()] }, xml('1'), source);
      const full = header({ reportId: 'two' });
      const second = await store.insertAggregateReport({ ...full, records: [record()] }, xml('2'), source);
      expect(await orgContact()).toEqual({
        email: full.reporter.email,
        extra_contact_info: full.reporter.extraContactInfo,
      });
      // The same org from another address (seen: one org's reports from several), in a batch too.
      const other = header({ reportId: 'three' });
      other.reporter = {
        orgName: 'Reporter Inc.',
        email: 'noreply@mx2.reporter.example',
        extraContactInfo: null,
      };
      const [third] = await store.insertAggregateReports([
        { report: { ...other, records: [record()] }, raw: xml('3'), source },
      ]);
      if (!third || third instanceof Error) throw new Error('not stored');
      expect((await store.getAggregateReport(first.id))?.reporter).toEqual(bare.reporter);
      expect((await store.getAggregateReport(second.id))?.reporter).toEqual(full.reporter);
      expect((await store.getAggregateReport(third.id))?.reporter).toEqual(other.reporter);
      expect(await orgContact()).toEqual({
        email: full.reporter.email,
        extra_contact_info: full.reporter.extraContactInfo,
      });
      expect(await rowCount(store, 'reporters')).toBe(1);

      // A report stored before migration 0010 kept no contact of its own: it shows its org's.
      await store.db
        .updateTable('reports')
        .set({ reporter_contact: null })
        .where('id', '=', third.id)
        .execute();
      expect((await store.getAggregateReport(third.id))?.reporter).toEqual(full.reporter);
    });

    it('stores a reporter contact holding NUL or U+FFFF and gives it back as it came', async () => {
      const store = await open();
      const odd = header({ reportId: 'odd-contact' });
      odd.reporter = {
        orgName: 'Reporter Inc.',
        email: 'a\u0000b@reporter.example',
        extraContactInfo: 'x\uffff0 "q"',
      };
      const stored = await store.insertAggregateReport({ ...odd, records: [record()] }, xml('o'), source);
      expect((await store.getAggregateReport(stored.id))?.reporter).toEqual(odd.reporter);
    });

    it('opens an existing store again without migrating twice, keeping its data', async () => {
      const location = await engine.location();
      const first = await openStore(location);
      await first.insertAggregateReport({ ...header(), records: [record()] }, xml('x'), source);
      await first.close();
      const second = await openStore(location);
      opened.push(second);
      expect((await second.countReports()).reports).toBe(1);
      const migrations = await sql<{ n: number }>`select count(*) as n from sumi_migrations`.execute(
        second.db,
      );
      expect(Number(migrations.rows[0]?.n)).toBe(Object.keys(allMigrations(second.engine)).length);
    });

    it('opens the same new store from two connections at once: one migrates, the other waits', async () => {
      const location = await engine.location();
      const both = await Promise.all([openStore(location), openStore(location)]);
      opened.push(...both);
      await both[0]!.insertAggregateReport({ ...header(), records: [record()] }, xml('x'), source);
      expect((await both[1]!.countReports()).reports).toBe(1);
    });
  });
}

async function rowCount(
  store: Store,
  table: 'records' | 'source_rollup' | 'reporters' | 'report_copies',
): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('rollup staging on SQLite (PostgreSQL appends to source_rollup itself)', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const store of opened.splice(0)) await store.close();
  });
  const memoryStore = async (): Promise<KyselyStore> => {
    const store = (await openStore(':memory:')) as KyselyStore;
    opened.push(store);
    return store;
  };
  /** Date.now stopped until moved on (restored after each test). */
  const stoppedClock = () => {
    let now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    return (ms: number) => {
      now += ms;
    };
  };
  /** A staged rollup row: every key column `<name><suffix>` (day JAN_1). */
  const stagedRow = (suffix: string, messages: number) =>
    ({
      ...Object.fromEntries(SOURCE_ROLLUP_KEY.map((k) => [k, k === 'day' ? JAN_1 : `${k}${suffix}`])),
      messages,
    }) as never;

  it('folds a long bulk run as it goes, every ROLLUP_FOLD_EVERY_MS', async () => {
    const store = await memoryStore();
    const advance = stoppedClock();
    await store.writingInBulk(async () => {
      const batch = (i: number) => [
        {
          report: { ...header({ reportId: `long-${i}` }), records: [record()] },
          raw: xml(`l${i}`),
          source,
        },
      ];
      await store.insertAggregateReports(batch(0));
      expect(await pendingMessages(store)).toBe(1);
      advance(ROLLUP_FOLD_EVERY_MS);
      await store.insertAggregateReports(batch(1));
      expect(await pendingMessages(store)).toBe(0);
      expect(await rollupRows(store)).toMatchObject([{ messages: 2 }]);
    });
  });

  it('adds each pending rollup row once when folds run at the same time', async () => {
    const store = await memoryStore();
    await store.db
      .insertInto('rollup_pending')
      .values(Array.from({ length: 200 }, (_, i) => stagedRow(`-${i % 5}`, i)))
      .execute();
    const folded = await Promise.all([1, 2, 3].map(() => foldPendingRollup(store.db)));
    expect(folded.reduce((a, b) => a + b, 0)).toBe(200);
    const rows = await rollupRows(store);
    expect(rows).toHaveLength(5);
    expect(rows.reduce((sum, r) => sum + Number(r.messages), 0)).toBe((199 * 200) / 2);
    expect(await pendingMessages(store)).toBe(0);
  });

  it('folds a bulk run as it goes once ROLLUP_FOLD_PENDING_ROWS rows are staged', async () => {
    const store = await memoryStore();
    await store.writingInBulk(async () => {
      await store.insertAggregateReports([
        { report: { ...header({ reportId: 'rows-0' }), records: [record()] }, raw: xml('r0'), source },
      ]);
      await store.rollupStaged(ROLLUP_FOLD_PENDING_ROWS - 2);
      expect(await pendingMessages(store)).toBe(1);
      await store.rollupStaged(1);
      expect(await pendingMessages(store)).toBe(0);
    });
    expect(await rollupRows(store)).toMatchObject([{ messages: 1 }]);
  });

  it('folds, when asked during a fold, the rows staged after that fold began', async () => {
    const store = await memoryStore();
    const first = store.foldRollup();
    const staged = store.db.insertInto('rollup_pending').values(stagedRow('', 2)).execute();
    const second = store.foldRollup();
    await Promise.all([first, staged, second]);
    expect(await pendingMessages(store)).toBe(0);
    expect(await rollupRows(store)).toMatchObject([{ messages: 2 }]);
  });

  it('folds sums a stopped ingest left staged once a live run would have folded them (foldAbandonedRollup)', async () => {
    const store = await memoryStore();
    const advance = stoppedClock();
    const stage = (i: number) => store.db.insertInto('rollup_pending').values(stagedRow('', i)).execute();
    await stage(1);
    expect(await store.foldAbandonedRollup()).toBe(0);
    // A live run folds and stages again: its oldest row changes, nothing is taken from it.
    advance(ROLLUP_FOLD_EVERY_MS);
    await foldPendingRollup(store.db);
    await stage(2);
    expect(await store.foldAbandonedRollup()).toBe(0);
    advance(ROLLUP_FOLD_EVERY_MS);
    expect(await store.foldAbandonedRollup()).toBe(0);
    // The run stopped: the same oldest row, twice the longest a live run waits.
    advance(ROLLUP_FOLD_EVERY_MS);
    expect(await store.foldAbandonedRollup()).toBe(1);
    expect(await pendingMessages(store)).toBe(0);
    expect(await rollupRows(store)).toMatchObject([{ messages: 3 }]);
    expect(await store.foldAbandonedRollup()).toBe(0);
    expect(await store.db.selectFrom('rollup_pending').select('id').execute()).toEqual([]);
  });
});

describe('rollupDay', () => {
  it('counts a report on the UTC day holding the middle of its window', () => {
    expect(rollupDay({ begin: JAN_1, end: JAN_1 + DAY - 1 })).toBe(JAN_1);
    expect(rollupDay({ begin: JAN_1, end: JAN_1 + DAY })).toBe(JAN_1);
    expect(rollupDay({ begin: JAN_1 + 15 * 3600, end: JAN_1 + DAY + 15 * 3600 })).toBe(JAN_1 + DAY);
    expect(rollupDay({ begin: JAN_1 + 3600, end: JAN_1 + 7200 })).toBe(JAN_1);
    // A reversed window (the parser warns) is placed by its begin.
    expect(rollupDay({ begin: JAN_1 + DAY + 5, end: JAN_1 })).toBe(JAN_1 + DAY);
  });
});

describe('insert input', () => {
  it('takes a parsed report with its records as it is', () => {
    expectTypeOf<AggregateReportWithRecords>().toExtend<AggregateReportInput>();
  });
});

const postgres = engines.find((e) => e.name === 'postgres')!;
describe.skipIf(postgres.skip !== undefined)(`PostgreSQL connections ${engineTitle(postgres)}`, () => {
  const opened: Store[] = [];
  afterAll(async () => {
    for (const store of opened.splice(0)) await store.close();
    await postgres.cleanup();
  });

  it('turn JIT off', async () => {
    const store = await freshStore(postgres, opened);
    const { rows } = await sql<{ jit: string }>`show jit`.execute(store.db);
    expect(rows[0]?.jit).toBe('off');
  });

  it('hand Kysely the same connection object for the same pooled connection (it keeps state per object)', async () => {
    const pool = new pg.Pool({ connectionString: await postgres.location(), max: 1 });
    const copying = copyingPool(pool);
    try {
      const first = await copying.connect();
      first.release();
      const again = await copying.connect();
      expect(again).toBe(first);
      again.release();
    } finally {
      await copying.end();
    }
  });

  it('store a batch one report at a time when another writer stored one of its reports after the batch looked (its COPY fails on the key)', async () => {
    const store = (await freshStore(postgres, opened)) as KyselyStore;
    const report = (id: string) => ({ ...header({ reportId: id }), records: [...manyRecords(3)] });
    const item = (id: string) => ({ report: report(id), raw: xml(id), source });
    const copyWaiting = async () => {
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where wait_event_type = 'Lock' and query like 'copy reports %' and datname = current_database()`.execute(
        store.db,
      );
      return Number(rows[0]!.n) > 0;
    };
    for (const batch of [['X', 'Y'], ['Z']]) {
      const [contested] = batch as [string];
      // The other writer inserts the report's row and holds its transaction open until the
      // batch's COPY waits on the row's key: the batch's look found the report not stored.
      let inserted!: () => void;
      const insertedNow = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const other = store.db.transaction().execute(async (trx) => {
        const raw = xml(contested);
        const row = reportRow(
          store,
          await store.reporterId(report(contested).reporter),
          report(contested),
          source,
          await packRaw(raw, sha256(raw)),
        );
        row.record_count = 3;
        row.message_count = [...manyRecords(3)].reduce((sum, r) => sum + r.count, 0);
        await trx.insertInto('reports').values(row).execute();
        inserted();
        await released;
      });
      await insertedNow;
      const outcomes = store.insertAggregateReports(batch.map(item));
      await vi.waitFor(async () => expect(await copyWaiting()).toBe(true), { timeout: 10_000, interval: 20 });
      release();
      await other;
      expect((await outcomes).map((o) => (o instanceof Error ? o.message : o.status))).toEqual(
        batch.map((id) => (id === contested ? 'duplicate' : 'stored')),
      );
    }
    expect(await store.countReports()).toMatchObject({ reports: 3 });
  });

  it('run COPY statements in a transaction: rows in, a refused row fails it whole, and the connection goes on', async () => {
    const store = await freshStore(postgres, opened);
    const copy = (rows: string) =>
      CompiledQuery.raw('copy reporters (org_name,email) from stdin', [Buffer.from(rows)]);
    const copied = await store.db.transaction().execute((trx) => trx.executeQuery(copy('a\t\\N\nb\tb@x\n')));
    expect(copied.rows).toEqual([]);
    // A duplicate org_name breaks the unique key midway: nothing of the COPY or its transaction stays.
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('reporters').values({ org_name: 'c', email: null }).execute();
        await trx.executeQuery(copy('d\t\\N\na\t\\N\n'));
      }),
    ).rejects.toThrow(/duplicate key/);
    const names = await store.db
      .selectFrom('reporters')
      .select(['org_name', 'email'])
      .orderBy('org_name')
      .execute();
    expect(names).toEqual([
      { org_name: 'a', email: null },
      { org_name: 'b', email: 'b@x' },
    ]);
    // Data that is not bytes is refused before anything is sent.
    await expect(
      store.db.executeQuery(CompiledQuery.raw('copy reporters (org_name) from stdin', ['text'])),
    ).rejects.toThrow(/data as its one parameter/);
  });
});

/** Every source_rollup row, in key order. */
async function pendingMessages(store: Store): Promise<number> {
  const { messages } = await store.db
    .selectFrom('rollup_pending')
    .select((eb) => eb.fn.sum<number | string | null>('messages').as('messages'))
    .executeTakeFirstOrThrow();
  return Number(messages ?? 0);
}

function rollupRows(store: Store) {
  return store.db
    .selectFrom('source_rollup')
    .selectAll()
    .orderBy([...SOURCE_ROLLUP_KEY])
    .execute();
}
