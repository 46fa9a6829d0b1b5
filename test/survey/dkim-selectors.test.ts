import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMON_DKIM_SELECTORS } from '../../src/check/dkim/selectors.ts';
import { DirectResolver, parseServers } from '../../src/dns/direct-resolver.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { openStore } from '../../src/store/open.ts';
import {
  createScan,
  DkimSelectorError,
  type DomainMeasurement,
  parseDkimSelectors,
  readDomainList,
  runSurvey,
  SURVEY_DKIM_SELECTORS,
  type SurveyReport,
  wilson,
} from '../../src/survey/index.ts';
import { surveyCharts, surveyHtml } from '../../src/survey/report/index.ts';
import { sumi } from '../helpers/cli.ts';

/**
 * DKIM at chosen selectors: asked only with --dkim-selectors, through the same resolver path
 * as every other question, counted per category like the other metrics.
 */

// A real RSA key, so the record parses as usable with the same parser as `sumi check`.
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
const KEY = `v=DKIM1; k=rsa; p=${rsa}`;

const SELECTORS = ['selector1', 'selector2', 'google', 'default', 's1'];

/** domain, category, and the selectors with a usable key (null: must come out unmeasured). */
const DOMAINS: [string, string, string[] | null][] = [
  ['ms.example', 'corp', ['selector1']],
  ['both.example', 'corp', ['selector1', 'selector2']],
  ['g.example', 'corp', ['google']],
  ['revoked.example', 'corp', []],
  ['spf.example', 'other', []],
  ['fail.example', 'other', null],
  ['none.example', 'other', []],
  ['bare.example', 'other', []],
];

function zone(): Zone {
  const z = new Zone();
  for (const [d] of DOMAINS) z.txt(d, 'v=spf1 -all');
  z.txt('selector1._domainkey.ms.example', KEY);
  z.txt('selector1._domainkey.both.example', KEY);
  z.txt('selector2._domainkey.both.example', KEY);
  z.txt('google._domainkey.g.example', KEY);
  // A key at a selector not asked: unseen, as in real surveys.
  z.txt('k1._domainkey.none.example', KEY);
  // RFC 6376 s3.6.1: p= empty is a revoked key.
  z.txt('selector1._domainkey.revoked.example', 'v=DKIM1; p=');
  // TXT that is not a key at a selector name (a wildcard SPF record, say).
  z.txt('default._domainkey.spf.example', 'v=spf1 -all');
  z.misbehave('s1._domainkey.fail.example', 'servfail', 'TXT');
  z.txt('selector1._domainkey.fail.example', KEY);
  // bare.example has nothing below _domainkey: NXDOMAIN there, so no selector is asked.
  return z;
}

let server: ZoneServer;
let direct: DirectResolver;
let dir: string;
let listPath: string;
const listText = `domain,category\n${DOMAINS.map(([d, c]) => `${d},${c}`).join('\n')}\n`;

async function scan(dkimSelectors?: string[]) {
  const results = new Map<string, DomainMeasurement>();
  const report = await runSurvey(readDomainList(Readable.from([listText])), {
    resolver: direct,
    resolverLabel: server.address,
    categories: 'list',
    qps: 0,
    retryPasses: 1,
    retryDelayMs: 1,
    ...(dkimSelectors ? { dkimSelectors } : {}),
    onResult: (m) => void results.set(m.domain, m),
  });
  return { report, results };
}

beforeAll(async () => {
  server = await ZoneServer.start(zone());
  direct = new DirectResolver({ servers: parseServers(server.address), timeoutMs: 1000, attempts: 2 });
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-survey-dkim-'));
  listPath = path.join(dir, 'list.csv');
  writeFileSync(listPath, listText);
});

afterAll(async () => {
  direct?.close();
  await server?.close();
});

describe('--dkim-selectors: the list', () => {
  it('common is a short pick of the check command’s list', () => {
    expect(SURVEY_DKIM_SELECTORS.length).toBeGreaterThanOrEqual(10);
    expect(SURVEY_DKIM_SELECTORS.length).toBeLessThanOrEqual(15);
    for (const s of SURVEY_DKIM_SELECTORS) expect(COMMON_DKIM_SELECTORS).toContain(s);
  });

  it('reads names, common, lower case, each once', () => {
    expect(parseDkimSelectors(' Google, s1 ,google')).toEqual(['google', 's1']);
    expect(parseDkimSelectors('common')).toEqual([...SURVEY_DKIM_SELECTORS]);
    expect(parseDkimSelectors('custom,common')[0]).toBe('custom');
    expect(parseDkimSelectors('2024.mail')).toEqual(['2024.mail']);
  });

  it('refuses what is not a selector', () => {
    for (const bad of ['', ',', 'a b', '-x', 'x_y', 'a..b'])
      expect(() => parseDkimSelectors(bad)).toThrow(DkimSelectorError);
  });
});

describe('survey with DKIM selectors over the zone server', () => {
  let report: SurveyReport;
  let results: Map<string, DomainMeasurement>;
  beforeAll(async () => {
    ({ report, results } = await scan(SELECTORS));
  });

  it('finds the selectors with a usable key, and a SERVFAIL at a selector leaves the domain unmeasured', () => {
    for (const [domain, , found] of DOMAINS) {
      const m = results.get(domain)!;
      if (found === null) {
        expect(m.measured).toBe(false);
        expect(m.questions).toContainEqual({
          name: 's1._domainkey.fail.example',
          type: 'TXT',
          status: 'servfail',
        });
      } else {
        expect([domain, m.measured, m.dkim?.selectors]).toEqual([domain, true, found]);
        const names = m.questions.map((q) => q.name);
        expect(names).toContain(`_domainkey.${domain}`);
        // Every selector was asked, through the same question log as the other names, unless
        // _domainkey itself does not exist (RFC 8020).
        for (const s of SELECTORS)
          expect([domain, s, names.includes(`${s}._domainkey.${domain}`)]).toEqual([
            domain,
            s,
            domain !== 'bare.example',
          ]);
      }
    }
  });

  it('counts dkim per category with Wilson intervals (hand-computed)', () => {
    const corp = report.categories.find((c) => c.name === 'corp')!;
    const other = report.categories.find((c) => c.name === 'other')!;
    // corp: ms, both, g have a key; revoked does not.
    expect(corp).toMatchObject({ domains: 4, measured: 4, dkim: 3 });
    expect(corp.shares.dkim).toEqual(wilson(3, 4));
    // other: spf.example's TXT is not a key, none.example's key is at a selector not asked, fail is unmeasured.
    expect(other).toMatchObject({ domains: 4, measured: 3, dkim: 0 });
    expect(other.shares.dkim).toEqual(wilson(0, 3));
    expect(report.total).toMatchObject({ domains: 8, measured: 7, dkim: 3 });
    expect(report.unmeasured).toBe(1);
  });

  it('states the selectors in the method', () => {
    expect(report.method.dkimSelectors).toEqual(SELECTORS);
    expect(report.method.questions.at(-1)).toContain(
      `then TXT <selector>._domainkey.<domain> for each selector: ${SELECTORS.join(', ')}`,
    );
    expect(report.method.definitions.dkim).toMatch(/revoked/);
  });

  it('puts dkim in the HTML report in both languages, with its adoption chart', () => {
    const html = surveyHtml(report, { langs: ['en', 'ja'] });
    expect(html).toContain('DKIM key');
    expect(html).toContain('DKIM 公開鍵');
    expect(surveyCharts(report, { lang: 'en' }).map((c) => c.id)).toContain('adoption-dkim');
  });
});

describe('survey without DKIM selectors', () => {
  it('asks nothing at _domainkey and reports no dkim metric', async () => {
    const domainkey = () =>
      [...server.questions.keys()]
        .filter((k) => k.includes('_domainkey'))
        .reduce((n, k) => n + server.questions.get(k)!, 0);
    const before = domainkey();
    const { report, results } = await scan();
    expect(domainkey()).toBe(before);
    expect(report.total.dkim).toBeUndefined();
    expect(report.total.shares.dkim).toBeUndefined();
    expect(report.method.dkimSelectors).toBeUndefined();
    expect(report.method.definitions.dkim).toBeUndefined();
    for (const m of results.values()) {
      expect(m.dkim).toBeUndefined();
      expect(m.questions.some((q) => q.name.includes('_domainkey'))).toBe(false);
    }
  });
});

/** `sumi survey ARGS`, in-process. */
const cli = (args: string[]) => sumi(['survey', ...args]);

const base = () => [
  ...['--resolver', server.address, '--timeout', '500', '--retries', '1', '--retry-delay', '5', '--qps', '0'],
];

describe('sumi survey --dkim-selectors', () => {
  it('--json: dkim per category with its share, the selectors in the method', async () => {
    const perDomain = path.join(dir, 'domains.csv');
    const { code, stdout } = await cli([
      listPath,
      '--dkim-selectors',
      SELECTORS.join(','),
      '--json',
      '--per-domain',
      perDomain,
      ...base(),
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.method.dkimSelectors).toEqual(SELECTORS);
    const corp = report.categories.find((c: { name: string }) => c.name === 'corp');
    expect(corp.dkim).toBe(3);
    expect(corp.shares.dkim.share).toBe(0.75);
    expect(report.total.dkim).toBe(3);
    const rows = readFileSync(perDomain, 'utf8').trim().split('\n');
    expect(rows[0]!.endsWith(',dkim_selectors')).toBe(true);
    expect(rows.find((r) => r.startsWith('both.example,'))!.endsWith(',selector1 selector2')).toBe(true);
    expect(rows.find((r) => r.startsWith('revoked.example,'))!.endsWith(',')).toBe(true);
  });

  it('--csv has the dkim columns only when asked; the table a DKIM column and the selectors', async () => {
    const withDkim = await cli([listPath, '--dkim-selectors', SELECTORS.join(','), '--csv', ...base()]);
    const header = withDkim.stdout.split('\n')[0]!.split(',');
    expect(header.slice(-4)).toEqual(['dkim', 'dkim_share', 'dkim_low', 'dkim_high']);
    const corpRow = withDkim.stdout
      .split('\n')
      .find((l) => l.startsWith('domain,corp,'))!
      .split(',');
    expect(corpRow.slice(-4, -2)).toEqual(['3', '0.7500']);
    const without = await cli([listPath, '--csv', ...base()]);
    expect(without.stdout.split('\n')[0]).not.toContain('dkim');
    const table = await cli([listPath, '--dkim-selectors', 'selector1,google', ...base()]);
    expect(table.stdout).toContain('DKIM');
    expect(table.stdout).toContain('selector1, google');
  });

  it('keeps the selectors and the flag in a stored scan', async () => {
    const db = path.join(dir, 'store.db');
    const run = await cli([
      listPath,
      '--db',
      db,
      '--name',
      'dkim-1',
      '--dkim-selectors',
      SELECTORS.join(','),
      '--json',
      ...base(),
    ]);
    expect(run.code).toBe(0);
    const shown = await cli(['show', 'dkim-1', '--db', db, '--json']);
    const report = JSON.parse(shown.stdout);
    expect(report.method.dkimSelectors).toEqual(SELECTORS);
    expect(report.categories.find((c: { name: string }) => c.name === 'corp').dkim).toBe(3);
    expect(report.total).toMatchObject({ measured: 7, dkim: 3 });
  });

  it('a resumed scan asks the selectors it was started with; a trend with an older scan without DKIM still works', async () => {
    const db = path.join(dir, 'resume.db');
    const store = await openStore(db);
    try {
      await createScan(store, {
        name: 'stopped',
        list: listPath,
        options: {
          categories: 'list',
          organisationRule: 'any',
          resolverLabel: server.address,
          timeoutMs: 500,
          qps: 0,
          concurrency: 8,
          retryPasses: 1,
          retryDelayMs: 5,
          dkimSelectors: SELECTORS,
        },
      });
    } finally {
      await store.close();
    }
    const resumed = await cli(['--resume', 'stopped', '--db', db, '--json', ...base()]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).total).toMatchObject({ measured: 7, dkim: 3 });
    const plain = await cli([listPath, '--db', db, '--name', 'plain', '--json', ...base()]);
    expect(JSON.parse(plain.stdout).total.dkim).toBeUndefined();
    const trend = await cli(['trend', 'plain', 'stopped', '--db', db, '--json']);
    expect(trend.code).toBe(0);
    const json = JSON.parse(trend.stdout);
    expect(json.scans.map((x: { name: string; dkim: boolean }) => [x.name, x.dkim])).toEqual([
      ['plain', false],
      ['stopped', true],
    ]);
    // DKIM's change runs from the first scan that asked it: only one did, so none; 3 of 7 measured.
    const total = json.categories.find((c: { name: string }) => c.name === '*');
    expect(total.changes.dkim).toEqual({ from: 3 / 7, to: 3 / 7, points: null });
    const table = await cli(['trend', 'plain', 'stopped', '--db', db]);
    const rows = table.stdout.split('\n');
    expect(rows[0]).toContain('DKIM');
    // The scan without selectors shows no DKIM share (not 0%), the one with them 3 of 7.
    const dkimColumn = (line: string) =>
      line
        .trim()
        .split(/\s{2,}/)
        .at(-1);
    expect(rows.filter((r) => /\bplain\b/.test(r)).map(dkimColumn)).toEqual(['-', '-', '-']);
    expect(rows.filter((r) => /\bstopped\b/.test(r)).map(dkimColumn)).toEqual(['75.0%', '0.0%', '42.9%']);
    expect(rows.filter((r) => /change \(pt\)/.test(r)).map(dkimColumn)).toEqual(['-', '-', '-']);
  });

  it('refuses a bad list with exit code 2', async () => {
    const { code, stderr } = await cli([listPath, '--dkim-selectors', 'a b', ...base()]);
    expect(code).toBe(2);
    expect(stderr).toContain('--dkim-selectors a b');
  });
});
