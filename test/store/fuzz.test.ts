/**
 * The store's boundary under fuzzing: a report the parsers accept, whatever odd values it
 * carries (huge or negative counts, NUL and U+FFFF, 70,000-character fields, addresses with
 * zones, dates past 9999), is stored or refused with a StoreInputError naming the value, on
 * SQLite and PostgreSQL alike; nothing else is thrown, and a refused report leaves nothing.
 * fast-check replaces the values of the report fixtures' elements and fields and shrinks a failure
 * to the fewest. SUMI_FUZZ_SEED and SUMI_FUZZ_RUNS run a longer campaign.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { ReportError } from '../../src/reports/errors.ts';
import { parseTlsReport } from '../../src/reports/tls.ts';
import { StoreInputError } from '../../src/store/errors.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore } from './helpers.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../reports/fixtures/${name}`, import.meta.url), 'utf8');
const SEED = Number(process.env.SUMI_FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.SUMI_FUZZ_RUNS ?? 150);

const REPORTS = ['rfc7489.xml', 'rfc9990.xml', 'quirks.xml'].map(fixture);
const TLS = JSON.parse(fixture('tls.json')) as unknown;

/** Values at the edges of what a column holds, as XML text. */
const XML_VALUES = [
  '',
  '-1',
  '0',
  '1.5',
  '9007199254740991',
  '9007199254740992',
  '99999999999999999999999',
  'NaN',
  '1e3',
  ' 7 ',
  '&#0;',
  '&#65535;',
  'x'.repeat(70_000),
  '日本',
  '::ffff:192.0.2.1',
  'fe80::1%eth0',
  '256.0.0.1',
  'PASS',
  'hardfail',
  'None',
  '-9999999999999',
  '253402300800',
];
/** The same for JSON. */
const JSON_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53,
  '',
  '\u0000',
  'x'.repeat(70_000),
  [],
  {},
  [1],
  '2024-13-45T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '-5',
  '::1',
  'not an ip',
  '日本',
  '\uFFFF',
];

/** Sets the text of the `at`-th element holding text (modulo their number) to `value`. */
function setText(xml: string, at: number, value: string): string {
  const texts = [...xml.matchAll(/>([^<]*)</g)];
  const m = texts[at % texts.length]!;
  const start = m.index! + 1;
  return xml.slice(0, start) + value + xml.slice(start + m[1]!.length);
}

/** Every path into a JSON value, the root's included. */
function jsonPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      jsonPaths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
    }
  }
  return out;
}

/** `doc` with the value at the `at`-th path (modulo their number) replaced by `value`. */
function setJson(doc: unknown, at: number, value: unknown): unknown {
  const paths = jsonPaths(doc);
  const path = paths[at % paths.length]!;
  if (path.length === 0) return value;
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
  return doc;
}

/** Parses with `parse`; stores with `insert`: a parser's refusal or the store's StoreInputError, else stored. */
async function storedOrRefused<T>(
  parse: () => Promise<T>,
  insert: (report: T) => Promise<unknown>,
): Promise<'unparsed' | 'refused' | 'stored'> {
  let report: T;
  try {
    report = await parse();
  } catch (error) {
    if (error instanceof ReportError) return 'unparsed';
    throw error;
  }
  try {
    await insert(report);
    return 'stored';
  } catch (error) {
    if (error instanceof StoreInputError) return 'refused';
    throw error;
  }
}

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`fuzzing the store's boundary ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    afterAll(() => engine.cleanup());

    it('stores an aggregate report with any values the parser accepts, or refuses it whole with a StoreInputError', async () => {
      const store = await freshStore(engine, opened);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.nat(REPORTS.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...XML_VALUES)), { minLength: 1, maxLength: 4 }),
          async (seed, edits) => {
            let xml = REPORTS[seed]!;
            for (const [at, value] of edits) xml = setText(xml, at, value);
            // Each case its own report: no case is a duplicate of another.
            xml = xml.replace(/(<(?:dmarc:)?report_id>)[^<]*/, `$1fuzz-${++n}`);
            const bytes = Buffer.from(xml);
            const before = await store.countReports();
            const outcome = await storedOrRefused(
              () => parseAggregateReportToObject(bytes),
              (report) => store.insertAggregateReport(report, bytes, { description: 'fuzz.xml' }),
            );
            if (outcome !== 'stored') expect(await store.countReports()).toEqual(before);
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    }, 120_000);

    it('stores an SMTP TLS report with any values the parser accepts, or refuses it with a StoreInputError', async () => {
      const store = await freshStore(engine, opened);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...JSON_VALUES)), { minLength: 1, maxLength: 3 }),
          async (edits) => {
            let doc = structuredClone(TLS);
            for (const [at, value] of edits) doc = setJson(doc, at, structuredClone(value));
            const text = `${JSON.stringify(doc)}\n${++n}`;
            await storedOrRefused(
              () => parseTlsReport(Buffer.from(JSON.stringify(doc))),
              (report) => store.insertTlsReport(report, Buffer.from(text), { description: 'fuzz.json' }),
            );
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    }, 120_000);
  });
}
