import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  parseAggregateReport,
  parseFailureReport,
  parseTlsReport,
  ReportError,
  type Unpacked,
  unpackAll,
} from '../../src/reports/index.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/reports/', import.meta.url));
const present = existsSync(`${corpus}INDEX.tsv`);
const skipReason = `skipped: ${corpus} is absent`;
if (!present) console.warn(`corpus report tests ${skipReason}`);

/** Every corpus file that is not read as a report, and why. A file not listed here must be read. */
const EXPECTED_REJECTIONS: { path: string | RegExp; code: string; reason: string }[] = [
  {
    path: /^danielsen__DmarcRua\/dev\/testing\/resources\/dmarc\/aggregate\/known-invalid\//,
    code: 'xml-not-well-formed',
    reason:
      'labelled known-invalid by DmarcRua: Mail.Ru/wp.pl/o2.pl/docomo one-line reports cut mid-document ' +
      '(e.g. <policy_published> followed by </spf>), unexpected close tag; the others in the folder parse',
  },
  {
    path: 'trusteddomainproject__OpenDMARC/libopendmarc/tests/testfiles/bad.com!example.com!1337140800!1337227200.xml',
    code: 'xml-not-well-formed',
    reason: 'OpenDMARC negative fixture: unescaped "<foo" inside <header_from>',
  },
  {
    path: 'kimon1230__dmarc_report_reader/tests/fixtures/malformed.xml',
    code: 'xml-not-well-formed',
    reason: 'negative fixture: <report_metadata> never closed',
  },
  {
    path: 'danielsen__DmarcRua/DmarcRuaTests/Unit/InvalidReport.xml',
    code: 'aggregate-missing-field',
    reason: 'negative fixture: no <org_name>, so the report cannot be attributed to a reporter',
  },
  {
    path: 'djav1985__v-dmarc-dashboard/unit/fixtures/dmarc/forensic-sample.xml',
    code: 'aggregate-missing-field',
    reason: 'an aggregate-shaped file with no <date_range>: the report cannot be placed in time',
  },
  {
    path: 'modoboa__modoboa-dmarc/modoboa_dmarc/tests/reports/Report_Domain_ngyn.org_Submitter_yahoo.com_Report-ID_1436111091.916236-ignored.eml',
    code: 'aggregate-missing-field',
    reason:
      'modoboa fixture meant to be ignored: its zip holds a report whose <policy_published> has no <domain>',
  },
  {
    path: 'keltia__dmarc-cat/testdata/bad.zip',
    code: 'unknown-payload',
    reason: 'dmarc-cat negative fixture: the zip entry bad.xml is empty (sumi ingest says so: empty-input)',
  },
  {
    path: 'keltia__dmarc-cat/testdata/notempty.txt.gz',
    code: 'unknown-payload',
    reason: 'dmarc-cat fixture: gzip of a line of plain text',
  },
  {
    path: 'keltia__dmarc-cat/testdata/notempty.zip',
    code: 'unknown-payload',
    reason: 'dmarc-cat fixture: zip of a plain text file',
  },
];

interface Outcome {
  kinds: string[];
  records: number;
  rejections: { code: string; where: string }[];
}

async function read(bytes: Buffer, name: string): Promise<Outcome> {
  const outcome: Outcome = { kinds: [], records: 0, rejections: [] };
  const items: Unpacked[] = await unpackAll(bytes, name);
  for (const item of items) {
    if (item.kind === 'error') {
      outcome.rejections.push({ code: item.error.code, where: item.provenance });
      continue;
    }
    try {
      if (item.kind === 'aggregate') outcome.records += (await parseAggregateReport(item.bytes)).recordCount;
      else if (item.kind === 'failure') await parseFailureReport(item.bytes);
      else if (item.kind === 'tls') await parseTlsReport(item.bytes);
      else {
        outcome.rejections.push({ code: 'unknown-payload', where: item.provenance });
        continue;
      }
      outcome.kinds.push(item.kind);
    } catch (err) {
      if (!(err instanceof ReportError)) throw err;
      outcome.rejections.push({ code: err.code, where: `${item.provenance}: ${err.message}` });
    }
  }
  return outcome;
}

const KIND_OF: Record<string, string[]> = {
  aggregate: ['aggregate'],
  failure: ['failure'],
  smtp_tls: ['tls'],
  'aggregate,failure': ['aggregate', 'failure'],
  unclassified: [],
};

describe.skipIf(!present)(
  present
    ? 'corpus reports: every file read or rejected for a listed reason'
    : `corpus reports ${skipReason}`,
  () => {
    it('reads every file under ../shared/corpus/reports, rejecting only the listed ones', async () => {
      const rows = readFileSync(`${corpus}INDEX.tsv`, 'utf8')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split('\t'));
      const unexplained: string[] = [];
      const rejected = new Set<string>();
      let records = 0;
      for (const [path = '', kind = ''] of rows) {
        const outcome = await read(readFileSync(corpus + path), path.split('/').at(-1) ?? path);
        records += outcome.records;
        for (const rejection of outcome.rejections) {
          const entry = EXPECTED_REJECTIONS.find((e) =>
            typeof e.path === 'string' ? e.path === path : e.path.test(path),
          );
          if (entry?.code !== rejection.code)
            unexplained.push(`${path}: ${rejection.code} at ${rejection.where}`);
          else rejected.add(path);
        }
        if (outcome.rejections.length === 0) {
          expect(outcome.kinds.length, path).toBeGreaterThan(0);
          for (const found of outcome.kinds)
            expect(KIND_OF[kind], `${path} read as ${found}`).toContain(found);
        }
      }
      expect(unexplained).toEqual([]);
      // Every file-specific entry is still rejected: the table does not outlive the reasons.
      for (const entry of EXPECTED_REJECTIONS)
        if (typeof entry.path === 'string') expect(rejected).toContain(entry.path);
      console.info(
        `corpus: ${rows.length} files, ${rejected.size} rejected as listed, ${records} aggregate records read`,
      );
      expect(records).toBeGreaterThan(10_000);
    }, 120_000);
  },
);
