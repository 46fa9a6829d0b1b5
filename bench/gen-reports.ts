/**
 * Generates the report ingestion benchmark corpus (issue 3):
 *   (a) 10,000 aggregate reports with 100,000 records in all, as .xml.gz files;
 *   (b) one aggregate report with 200,000 records, as .xml and .xml.gz.
 * Usage: npx tsx bench/gen-reports.ts [DIR]   (default bench/.data/, git-ignored)
 * Deterministic: the same seed gives the same bytes, so runs compare.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const SMALL_REPORTS = 10_000;
const SMALL_RECORDS = 100_000;
const LARGE_RECORDS = 200_000;
const REPORTERS = [
  'google.com',
  'Yahoo! Inc.',
  'Enterprise Outlook',
  'Mail.Ru',
  'GMX',
  'comcast.net',
  'Mimecast',
];
const DOMAINS = ['example.jp', 'example.co.jp', 'example.ac.jp', 'example.lg.jp', 'example.com'];

/** xorshift32: tiny, seeded, good enough to vary IPs and verdicts. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function record(next: () => number, domain: string): string {
  const ip =
    next() < 0.1
      ? `2001:db8:${Math.floor(next() * 65535).toString(16)}::${Math.floor(next() * 65535).toString(16)}`
      : `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`;
  const dkim = next() < 0.8 ? 'pass' : 'fail';
  const spf = next() < 0.7 ? 'pass' : 'fail';
  const disposition = dkim === 'pass' || spf === 'pass' ? 'none' : next() < 0.5 ? 'quarantine' : 'reject';
  return `  <record>
    <row>
      <source_ip>${ip}</source_ip>
      <count>${1 + Math.floor(next() * 50)}</count>
      <policy_evaluated>
        <disposition>${disposition}</disposition>
        <dkim>${dkim}</dkim>
        <spf>${spf}</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_from>${domain}</envelope_from>
      <header_from>${domain}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${domain}</domain>
        <selector>s${Math.floor(next() * 4)}</selector>
        <result>${dkim}</result>
      </dkim>
      <spf>
        <domain>${domain}</domain>
        <scope>mfrom</scope>
        <result>${spf}</result>
      </spf>
    </auth_results>
  </record>
`;
}

function report(id: number, records: number, next: () => number): string {
  const org = REPORTERS[id % REPORTERS.length]!;
  const domain = DOMAINS[id % DOMAINS.length]!;
  const begin = 1_700_000_000 + (id % 365) * 86_400;
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>${org}</org_name>
    <email>noreply-dmarc@reporter.example</email>
    <report_id>bench-${id}</report_id>
    <date_range>
      <begin>${begin}</begin>
      <end>${begin + 86_399}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <sp>none</sp>
    <pct>100</pct>
  </policy_published>
`,
  ];
  for (let i = 0; i < records; i++) parts.push(record(next, domain));
  parts.push('</feedback>\n');
  return parts.join('');
}

const dir = resolve(process.argv[2] ?? 'bench/.data');
const smallDir = join(dir, 'aggregate-10k');
mkdirSync(smallDir, { recursive: true });
const next = random(20_240_301);
for (let id = 0; id < SMALL_REPORTS; id++) {
  const records = SMALL_RECORDS / SMALL_REPORTS;
  writeFileSync(join(smallDir, `reporter!example!${id}.xml.gz`), gzipSync(report(id, records, next)));
}
const large = report(SMALL_REPORTS, LARGE_RECORDS, next);
writeFileSync(join(dir, 'large-200k.xml'), large);
writeFileSync(join(dir, 'large-200k.xml.gz'), gzipSync(large));
console.log(
  `${SMALL_REPORTS} reports (${SMALL_RECORDS} records) in ${smallDir}; 200k-record report in ${dir}`,
);
