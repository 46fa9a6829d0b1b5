/**
 * Damaged inputs through the whole ingest (unpack, parse, store): whatever the damage, ingestMessage
 * throws nothing (it throws only when the store fails), every input that gives no report says why
 * in words with nothing left unfilled, in English and Japanese, and ingesting the same input again
 * stores nothing new. The damage is seeded, so a failure names the case that shows it again.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/ingest/describe.ts';
import { ingestMessage } from '../../src/ingest/message.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { gz, mail, singlePartMail, zip } from '../reports/fixtures/build.ts';
import { aggregateXml } from './helpers/reports.ts';

const fixture = (name: string) => readFileSync(new URL(`../reports/fixtures/${name}`, import.meta.url));

/** The inputs damaged: each kind of file a report comes in, before damage each readable. */
const INPUTS: Record<string, () => Buffer> = {
  'rfc7489.xml': () => fixture('rfc7489.xml'),
  'rfc9990.xml': () => fixture('rfc9990.xml'),
  'quirks.xml': () => fixture('quirks.xml'),
  'tls.json': () => fixture('tls.json'),
  'arf.eml': () => fixture('arf.eml'),
  'arf-base64.eml': () => fixture('arf-base64.eml'),
  'r.xml.gz': () => gz(fixture('rfc7489.xml')),
  'r.zip': () =>
    zip([
      { name: 'a.xml', data: aggregateXml({ reportId: 'zip-a', records: 3 }) },
      { name: 'b.xml', data: fixture('rfc9990.xml') },
    ]),
  'report.eml': () =>
    mail('Report Domain: example.jp', [
      { contentType: 'text/plain', data: 'A DMARC report.' },
      {
        contentType: 'application/gzip',
        filename: 'r.xml.gz',
        data: gz(aggregateXml({ reportId: 'mail-a' })),
      },
      {
        contentType: 'application/zip',
        filename: 'r.zip',
        data: zip([{ name: 'c.xml', data: fixture('quirks.xml') }]),
      },
    ]),
  'single.eml': () => singlePartMail('application/gzip', gz(fixture('rfc9990.xml'))),
};

/** Text that breaks structure where it lands: markup, references, MIME and JSON syntax, numbers out of range. */
const PIECES = [
  '<',
  '>',
  '&',
  '&#0;',
  ']]>',
  '<![CDATA[',
  '</record>',
  '<record>',
  '<count>-1</count>',
  '<count>99999999999999999999</count>',
  '<begin>yesterday</begin>',
  '<source_ip>999.1.1.1</source_ip>',
  '<!DOCTYPE feedback [<!ENTITY a "aaaa">]>',
  '\u0000',
  '\r\n',
  '\n\n',
  '--sumi-test-boundary\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  '=?ISO-2022-JP?B?GyRC',
  '{"policies":[{}]}',
  '"total-successful-session-count":-5',
  '\u00ff\u00fe',
];

let seed = 20_261_130;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const upTo = (n: number) => Math.floor(random() * n);

/** One to three of: a bit flipped, the end cut, a piece inserted, a run deleted, a run repeated. */
function damaged(input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  for (let n = 1 + upTo(3); n > 0; n--) {
    const at = upTo(bytes.length + 1);
    const kind = upTo(5);
    if (kind === 0 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)]! ^= 1 << upTo(8);
    else if (kind === 1) bytes = bytes.subarray(0, at);
    else if (kind === 2) {
      const piece = Buffer.from(PIECES[upTo(PIECES.length)]!, 'latin1');
      bytes = Buffer.concat([bytes.subarray(0, at), piece, bytes.subarray(at)]);
    } else if (kind === 3) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + upTo(200))]);
    else {
      const run = bytes.subarray(at, at + upTo(400));
      bytes = Buffer.concat([bytes.subarray(0, at), run, run, bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** Words a reason must not hold: a placeholder left unfilled, a value that was never there. */
const UNFILLED = /\{[A-Za-z]\w*\}|\bundefined\b|\bNaN\b|\[object Object\]/;

const stores: Store[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

describe('damaged inputs through the whole ingest', () => {
  it.each(Object.keys(INPUTS))(
    '%s: 150 damaged copies, none throwing, each failure said in words',
    async (name) => {
      const store = await openStore(':memory:');
      stores.push(store);
      const input = INPUTS[name]!();
      // Undamaged, it is read: the damage, not the fixture, is what the cases below show.
      const whole = await ingestMessage(store, input, name, name);
      expect(whole.failed, `${name} undamaged`).toEqual([]);
      for (let copy = 0; copy < 150; copy++) {
        const startSeed = seed;
        const bytes = damaged(input);
        const source = `${name} #${copy} (seed ${startSeed})`;
        const first = await ingestMessage(store, bytes, name, source);
        for (const failure of first.failed) {
          for (const lang of ['en', 'ja'] as const) {
            const reason = describeFailure(failure, lang);
            expect(reason, source).not.toMatch(UNFILLED);
            expect(reason.length, source).toBeGreaterThan(source.length);
          }
        }
        const again = await ingestMessage(store, bytes, name, source);
        expect(
          again.reports.filter((r) => r.status === 'stored'),
          `${source}: stored again`,
        ).toEqual([]);
        expect(again.failed.length, source).toBe(first.failed.length);
      }
    },
  );
});
