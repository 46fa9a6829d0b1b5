import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDmarc, type DmarcParsed } from '../../src/check/dmarc.ts';
import type { ProtocolReport } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { lintDmarcRecord } from '../../src/records/dmarc/index.ts';
import { describeFinding } from '../../src/records/finding.ts';
import { noFetch } from './dmarc-helpers.ts';

/**
 * 1,250 real `_dmarc` answers for university domains (2018): CNAMEs, several records, SPF
 * records, quotes, `v=dmarc1`, `sp=non` ... Each `question,answer` row becomes zone data
 * (an answer ending in "." is a CNAME target, anything else a TXT record) and every domain
 * is checked through the zone resolver.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const csvPath = path.resolve(repoRoot, '../shared/corpus/domains/dmarc-records-universities-2018.csv');
const exists = existsSync(csvPath);

/** RFC 4180: quoted fields may hold commas, line breaks and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

function zoneFrom(rows: string[][]): Zone {
  const zone = new Zone();
  const seen = new Set<string>();
  for (const [question, answer] of rows) {
    if (question === undefined || answer === undefined) continue;
    // The crawl repeated some rows; a DNS RRset holds each record once.
    const key = `${question.toLowerCase()}\u0000${answer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(answer)) {
      zone.add(question, 'CNAME', answer.slice(0, -1).toLowerCase());
      continue;
    }
    const bytes = Buffer.from(answer, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length || i === 0; i += 255) chunks.push(bytes.subarray(i, i + 255));
    zone.add(question, 'TXT', chunks);
  }
  return zone;
}

describe.skipIf(!exists)('real _dmarc answers, universities 2018 (skipped: ../shared/corpus absent)', () => {
  const reports = new Map<string, ProtocolReport<DmarcParsed>>();
  let rows: string[][] = [];

  beforeAll(async () => {
    rows = parseCsv(readFileSync(csvPath, 'utf8')).slice(1);
    const zone = zoneFrom(rows);
    const domains = [
      ...new Set(
        rows
          .map((r) => r[0]!.toLowerCase())
          .filter((q) => q.startsWith('_dmarc.'))
          .map((q) => q.slice(7)),
      ),
    ];
    for (const domain of domains) {
      reports.set(
        domain,
        await checkDmarc(domain, { resolver: new ZoneResolver(zone), fetcher: noFetch, options: {} }),
      );
    }
  });

  const codesOf = (domain: string) => reports.get(domain)!.findings.map((f) => f.code);
  const findingOf = (domain: string, code: string) =>
    reports.get(domain)!.findings.find((f) => f.code === code);

  it('reads every row and checks every domain without a crash', () => {
    expect(rows.length).toBe(1250);
    expect(reports.size).toBeGreaterThan(1100);
    for (const [, answer] of rows) expect(() => lintDmarcRecord(answer!)).not.toThrow();
  });

  it('describes every finding in English and Japanese', () => {
    for (const report of reports.values()) {
      for (const f of report.findings) {
        for (const lang of ['en', 'ja'] as const) {
          const words = describeFinding(f, lang);
          expect(words.message, f.code).not.toMatch(/undefined|NaN|\[object/);
        }
      }
    }
  });

  it('reports no DNS error: every answer is in the zone', () => {
    for (const [domain, report] of reports) expect(report.status, domain).not.toBe('dns-error');
  });

  it('reads a plain record', () => {
    const r = reports.get('washjeff.edu')!;
    expect(r.status).toBe('ok');
    expect(r.parsed).toMatchObject({ source: 'own record', policy: 'none' });
    expect(codesOf('washjeff.edu')).toEqual(expect.arrayContaining(['dmarc-policy-none', 'dmarc-no-rua']));
  });

  it('sp=non: invalid value, nearest "none", whole record monitoring only', () => {
    const f = findingOf('iauq.ac.ir', 'dmarc-invalid-value')!;
    expect(f.args).toMatchObject({ tag: 'sp', value: 'non', suggestion: 'none', effect: 'monitor' });
    expect(reports.get('mshdiau.ac.ir')!.parsed).toMatchObject({ effect: 'monitor', policy: 'none' });
    expect(reports.get('iauq.ac.ir')!.suggested![0]!.value).toContain('sp=none');
  });

  it('SPF records at _dmarc', () => {
    expect(codesOf('sdcc.edu')).toContain('dmarc-spf-at-dmarc');
    expect(codesOf('ccbc.ca')).toEqual(expect.arrayContaining(['dmarc-spf-at-dmarc', 'dmarc-missing']));
  });

  it('CNAMEs: to a report service that holds the record, and to a web host that does not', () => {
    const ecu = reports.get('ecu.edu')!;
    expect(findingOf('ecu.edu', 'dmarc-cname')).toMatchObject({ severity: 'info' });
    expect(ecu.parsed).toMatchObject({ policyRecordName: 'ecu.edu.hosted.dmarc-report.com', policy: 'none' });
    expect(findingOf('cnu.edu', 'dmarc-cname')).toMatchObject({ severity: 'warning' });
    expect(reports.get('cnu.edu')!.status).toBe('missing');
    expect(reports.get('nvcc.edu')!.parsed!.record).toContain('genoomail');
  });

  it('several DMARC records at one name', () => {
    expect(findingOf('iihem.ac.ma', 'dmarc-multiple-records')!.args).toMatchObject({ count: 2 });
    expect(reports.get('iihem.ac.ma')!.status).toBe('invalid');
    expect(reports.get('iihem.ac.ma')!.suggested![0]!.value).toMatch(/^v=DMARC1; p=none; /);
    // The crawl listed the same record twice for sjsu.edu; the DNS holds it once.
    expect(codesOf('sjsu.edu')).not.toContain('dmarc-multiple-records');
  });

  it('records that receivers discard: quotes, leading line breaks, v=dmarc1', () => {
    expect(codesOf('grinnell.edu')).toContain('dmarc-text-before-version');
    expect(codesOf('unkris.ac.id')).toContain('dmarc-text-before-version');
    expect(codesOf('tsu.edu')).toContain('dmarc-text-before-version');
    expect(codesOf('zjnu.edu.cn')).toEqual(
      expect.arrayContaining(['dmarc-leading-whitespace', 'dmarc-version-case']),
    );
    expect(codesOf('dhu.edu.cn')).toContain('dmarc-version-case');
    expect(reports.get('dhu.edu.cn')!.status).toBe('invalid');
    expect(reports.get('dhu.edu.cn')!.suggested![0]!.value).toMatch(/^v=DMARC1; p=none;/);
    expect(reports.get('grinnell.edu')!.suggested![0]!.value).toBe(
      'v=DMARC1; p=none; sp=none; adkim=r; aspf=r; rua=mailto:redacted@grinnell.edu; ruf=mailto:redacted@grinnell.edu',
    );
    expect(reports.get('sbs.edu.cn')!.suggested![0]!.value).toBe(
      'v=DMARC1; p=none; rua=mailto:redacted@qiye.163.com; ruf=mailto:redacted@qiye.163.com; fo=1',
    );
  });

  it('grammar errors', () => {
    expect(findingOf('teilar.gr', 'dmarc-syntax-error')!.args).toMatchObject({
      reason: 'colon-for-equals',
      tag: 'ruf',
    });
    expect(findingOf('um.ac.ir', 'dmarc-syntax-error')!.args).toMatchObject({ reason: 'no-equals' });
    expect(findingOf('berea.edu', 'dmarc-syntax-error')!.args).toMatchObject({
      reason: 'empty-value',
      tag: 'fo',
    });
    expect(findingOf('nu.edu.sa', 'dmarc-invalid-value')!.args).toMatchObject({
      tag: 'fo',
      hint: 'missing-semicolon',
    });
    expect(codesOf('cabrillo.edu')).toContain('dmarc-nonstandard-syntax');
  });

  it('tags', () => {
    expect(findingOf('uatx.mx', 'dmarc-unknown-tag')!.args).toMatchObject({ tag: 'ps' });
    expect(findingOf('lassencollege.edu', 'dmarc-unknown-tag')!.args).toMatchObject({ tag: 'asl' });
    expect(codesOf('wne.edu')).toEqual(
      expect.arrayContaining(['dmarc-removed-tag', 'dmarc-subdomain-policy-weaker']),
    );
    expect(codesOf('yhc.edu')).toContain('dmarc-policy-not-second');
    expect(codesOf('jh.edu')).toContain('dmarc-subdomain-policy-weaker');
  });

  it('report addresses', () => {
    expect(findingOf('nl.edu', 'dmarc-report-size-limit')).toBeDefined();
    expect(findingOf('southwest.tn.edu', 'dmarc-invalid-uri')!.args).toMatchObject({
      problem: 'whitespace',
      repaired: 'mailto:dbailey3@southwest.tn.edu',
    });
    expect(codesOf('southwest.tn.edu')).toContain('dmarc-unrelated-txt');
    expect(codesOf('texarkanacollege.edu')).toContain('dmarc-duplicate-uri');
    expect(codesOf('dartmouth.edu')).toContain('dmarc-too-many-uris');
    expect(codesOf('barry.edu')).toEqual(
      expect.arrayContaining(['dmarc-external-rua-unauthorized', 'dmarc-ruf-privacy']),
    );
  });

  it('unrelated TXT records at _dmarc', () => {
    expect(codesOf('unlar.edu.ar')).toContain('dmarc-unrelated-txt');
    expect(findingOf('nottingham.edu.my', 'dmarc-unrelated-txt')!.args).toMatchObject({ count: 2 });
    expect(codesOf('cccc.edu')).toEqual(expect.arrayContaining(['dmarc-unrelated-txt', 'dmarc-missing']));
  });

  it('reads the question case-insensitively', () => {
    expect(reports.get('mbs.ac.uk')!.parsed!.policy).toBe('none');
  });
});
