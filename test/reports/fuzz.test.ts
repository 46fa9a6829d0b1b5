/**
 * Mutation fuzzing of what reads untrusted input, over this folder's own fixtures: whatever the
 * bytes, reading an input yields its parts (errors are parts: only a bug throws), every error is
 * said in both languages, and the streaming parser gives a report's bytes read in small chunks
 * the answer it gives them whole. fast-check makes the edits and shrinks a failing case to a few.
 * A fixed seed keeps runs alike; SUMI_FUZZ_SEED and SUMI_FUZZ_RUNS run a longer campaign.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../src/ingest/read.ts';
import { parseAggregateReport, parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { parseTlsReport } from '../../src/reports/tls.ts';
import type { AggregateRecord, AggregateReport } from '../../src/reports/types.ts';
import { prepareRecords } from '../../src/store/aggregate-rows.ts';
import { gz, mail, zip } from './fixtures/build.ts';
import { applyEdits, edit, expectReportError, fuzzSettings, outcome } from './fixtures/fuzz.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const settings = fuzzSettings();

const REPORTS = ['rfc7489.xml', 'rfc9990.xml', 'quirks.xml'].map(fixture);
const INPUTS = [
  ...REPORTS,
  fixture('tls.json'),
  ...['arf.eml', 'arf-base64.eml', 'no-feedback-type.eml', 'plain.eml'].map(fixture),
];

/** How the edited bytes arrive: as they are, gzipped, in a zip, or attached to a mail. */
type Wrapping = 'none' | 'gzip' | 'zip' | 'mail';
function wrap(bytes: Buffer, how: Wrapping): Buffer {
  if (how === 'gzip') return gz(bytes);
  if (how === 'zip') return zip([{ name: 'report.xml', data: bytes }]);
  if (how === 'mail') {
    return mail('Report domain: example.jp', [
      { contentType: 'application/gzip', filename: 'report.xml.gz', data: gz(bytes) },
    ]);
  }
  return bytes;
}

describe('fuzzing the readers', () => {
  it('reads any edit of an input, however wrapped, into parts, throwing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(INPUTS.length - 1),
        fc.array(edit, { minLength: 1, maxLength: 5 }),
        fc.constantFrom<Wrapping>('none', 'gzip', 'zip', 'mail'),
        fc.boolean(),
        async (seed, edits, how, streamed) => {
          const input = wrap(applyEdits(INPUTS[seed]!, edits), how);
          const options = { parseAggregates: 'postgres' as const, ...(streamed ? { streamAbove: 0 } : {}) };
          for await (const part of readMessage(input, 'in.bin', 'in.bin', options)) {
            if (part.kind === 'damaged' || part.kind === 'unknown') expectReportError(part.error);
            if (part.kind !== 'payload') continue;
            const { payload } = part;
            try {
              if (payload.kind === 'tls') await parseTlsReport(payload.bytes);
              if (payload.kind === 'aggregate') {
                const records: AggregateRecord[] = [];
                const report = await parseAggregateReport(
                  payload.stream ? payload.stream.open() : payload.bytes,
                  {
                    onRecord: (record) => void records.push(record),
                  },
                );
                expectSound(report, records);
              }
            } catch (error) {
              expectReportError(error);
            }
          }
        },
      ),
      settings,
    );
  });

  it('gives a report read in small chunks the answer it gives it whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(REPORTS.length - 1),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (seed, edits, chunk) => {
          const bytes = applyEdits(REPORTS[seed]!, edits);
          const whole = await outcome(() => parseAggregateReportToObject(bytes));
          const records: AggregateRecord[] = [];
          const streamed = await outcome(async () => {
            const report = await parseAggregateReport(chunks(bytes, chunk), {
              onRecord: (record) => void records.push(record),
            });
            return { ...report, records };
          });
          // Both refuse (the reason may differ: a value too long that is also not well-formed is
          // found out by whichever check its chunk meets first), or both read the same report.
          if ('refused' in whole || 'refused' in streamed) {
            expect({ whole: 'refused' in whole, streamed: 'refused' in streamed }).toEqual({
              whole: true,
              streamed: true,
            });
            return;
          }
          expect(comparable(streamed.report)).toEqual(comparable(whole.report));
          expectSound(whole.report, whole.report.records);
          for (const engine of ['sqlite', 'postgres'] as const) {
            prepareRecords(engine, whole.report, whole.report.records);
          }
        },
      ),
      settings,
    );
  });
});

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Warnings in a fixed order: bad bytes are met where the chunk that holds them is decoded. */
function comparable(report: AggregateReport & { records: AggregateRecord[] }) {
  const warnings = report.warnings.map((w) => JSON.stringify(w)).sort();
  return { ...report, warnings };
}

/** What a stored report may rely on: whole counts that add up, addresses that are addresses. */
function expectSound(report: AggregateReport, records: readonly AggregateRecord[]): void {
  expect(report.recordCount).toBe(records.length);
  let messages = 0;
  for (const record of records) {
    expect(Number.isSafeInteger(record.count) && record.count >= 0).toBe(true);
    messages += record.count;
    if (record.sourceIp !== null) expect(isIP(record.sourceIp)).not.toBe(0);
  }
  expect(report.messageCount).toBe(messages);
  const { pct } = report.policyPublished;
  if (pct !== null) expect(pct >= 0 && pct <= 100).toBe(true);
}
