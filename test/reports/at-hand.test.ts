/**
 * A report at hand is read in one turn (parseAggregateReportToObject's path without a promise
 * per chunk or record): it must read as the same bytes streamed in pieces do, report or refusal.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAggregateReportToObject, ReportError } from '../../src/reports/index.ts';
import { aggregateXml } from './fixtures/build.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/reports/', import.meta.url));
if (!existsSync(corpus)) console.warn(`at-hand corpus comparison skipped: ${corpus} is absent`);

/** The report, or the refusal's code and values. */
async function outcome(input: Parameters<typeof parseAggregateReportToObject>[0], maxTokenLength?: number) {
  try {
    return await parseAggregateReportToObject(input, maxTokenLength ? { limits: { maxTokenLength } } : {});
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    return { refused: error.code, args: error.args };
  }
}

/** The bytes as a stream of `size`-byte pieces: the path that reads chunk by chunk. */
async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function expectSameAsStreamed(bytes: Buffer): Promise<void> {
  expect(await outcome(pieces(bytes, 977))).toEqual(await outcome(bytes));
}

const xml = aggregateXml();

describe('a report at hand', () => {
  it.each([
    ['a report', xml],
    ['with a BOM and blank lines before its declaration', `\ufeff\n\n${xml}`],
    ['in UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')])],
    [
      'in windows-1252 as declared',
      Buffer.from(
        xml.replace('?>', ' encoding="windows-1252"?>').replace('<org_name>', '<org_name>Caf\xe9 '),
        'latin1',
      ),
    ],
    ['empty', ''],
    ['blank', ' \n\t '],
    ['not XML', 'unused'],
    ['with a DOCTYPE', xml.replace('<feedback', '<!DOCTYPE feedback [<!ENTITY a "b">]><feedback')],
    ['cut short', xml.slice(0, xml.length / 2)],
    ['without records', xml.replace(/<record>[\s\S]*<\/record>/, '')],
  ])('reads as the same bytes streamed: %s', async (_what, text) => {
    await expectSameAsStreamed(Buffer.isBuffer(text) ? text : Buffer.from(text));
  });

  // The limit counts characters across chunks with no markup in them: a report at hand is
  // decoded in 64 KiB chunks as it was before it was read in one turn.
  it('refuses a token over its limit as the streamed path does', async () => {
    const long = Buffer.from(
      xml.replace('<report_metadata>', `<!--${'x'.repeat(200_000)}--><report_metadata>`),
    );
    const atHand = await outcome(long, 100_000);
    expect(atHand).toMatchObject({ refused: 'xml-token-too-long' });
    expect(await outcome(pieces(long, 65_536), 100_000)).toEqual(atHand);
  });

  it.skipIf(!existsSync(corpus))('reads every XML file of ../shared/corpus/reports as streamed', async () => {
    const files = readdirSync(corpus, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.xml'))
      .map((name) => path.join(corpus, name))
      .filter((file) => statSync(file).isFile());
    let refused = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      const atHand = await outcome(bytes);
      expect(await outcome(pieces(bytes, 977)), file).toEqual(atHand);
      if ('refused' in atHand) refused++;
    }
    console.log(`at hand vs streamed: ${files.length} corpus XML files, ${refused} refused by both`);
    expect(files.length).toBeGreaterThan(1000);
  });
});
