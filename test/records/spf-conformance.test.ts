import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkSpf } from '../../src/check/spf.ts';
import type { RRType } from '../../src/dns/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher } from '../../src/http/types.ts';
import type { FindingCode } from '../../src/records/finding.ts';
import { parseSpfRecord, spfVersionKind } from '../../src/records/spf/index.ts';

/*
 * Every case of the openspf RFC 7208 and RFC 4408 suites and of stalwart's SPF cases is
 * judged by what the records at the checked domain say on their own: no SPF record ("none"),
 * several ("permerror"), one that fails to parse ("permerror"), or one that parses ("valid",
 * which must agree with any expected result but permerror/none). Cases whose result is not
 * decided by the record's text are listed below with the reason, and each is checked against
 * the finding `checkSpf` gives on the suite's own zone data.
 */

const repoRoot = path.resolve(import.meta.dirname, '../..');
const suites = path.resolve(repoRoot, '../shared/corpus/suites');
const present = fs.existsSync(path.join(suites, 'spf-rfc7208/rfc7208-tests.yml'));
if (!present) console.log('SPF conformance suites skipped: ../shared/corpus absent');

type Verdict = 'none' | 'permerror' | 'valid';

/** Decided by evaluation, not by the record's text: the finding checkSpf gives for it. */
interface NotBySyntax {
  reason: string;
  /** Finding expected from checkSpf on the suite's zone. */
  code: FindingCode;
}

const openSpfNotBySyntax: Record<string, NotBySyntax> = {
  'include-permerror': {
    reason: 'the syntax error is in the included record (e6: "include" without ":"), not the checked one',
    code: 'spf-syntax-error',
  },
  'include-none': {
    reason: 'the included domain has no SPF record (RFC 7208 s5.2)',
    code: 'spf-include-no-spf',
  },
  'redirect-none': { reason: 'the redirect= target has no SPF record (s6.1)', code: 'spf-redirect-no-spf' },
  'redirect-loop': { reason: 'redirect= points back to the same domain (s4.6.4)', code: 'spf-redirect-loop' },
  'include-loop': { reason: 'two records include each other (s4.6.4)', code: 'spf-include-loop' },
  'mx-limit': { reason: 'the mx target has 11 MX records (s4.6.4)', code: 'spf-too-many-mx' },
  'mech-over-limit': { reason: '11 lookup terms in the record (s4.6.4)', code: 'spf-too-many-lookups' },
  'include-over-limit': {
    reason: '11 lookups counted through an include (s4.6.4)',
    code: 'spf-too-many-lookups',
  },
  'void-over-limit': { reason: '3 lookups return NXDOMAIN (s4.6.4)', code: 'spf-too-many-void-lookups' },
  txttimeout: { reason: 'the TXT lookup times out (temperror)', code: 'spf-dns-error' },
  nospftxttimeout: { reason: 'the TXT lookup times out (temperror)', code: 'spf-dns-error' },
  alltimeout: { reason: 'every lookup times out (temperror)', code: 'spf-dns-error' },
};

const stalwartNotBySyntax: Record<string, NotBySyntax | { reason: string; disagree: Verdict }> = {
  'all.yml:All test:test.org': {
    reason:
      'stalwart stops at -all and ignores the invalid "ip:10.0.0.1" after it; RFC 7208 s4.6 (and the openspf case detect-errors-anywhere) make any syntax error a permerror, which is what Sumi reports',
    disagree: 'permerror',
  },
  'basic.yml:Malformed Domains:this.domain.name.is.extremely.long.because.we.want.to.explicitly.show.that.the.maximum.length.of.a.domain.name.is.255.characters.so.this.one.will.definitely.fail.immediately.due.to.its.excessive.length.and.ridiculously.large.number.of.characters.which.makes.it.invalid.com':
    {
      reason: 'the checked domain name itself is malformed (RFC 7208 s4.3: none before any record is read)',
      disagree: 'valid',
    },
  'basic.yml:Malformed Domains:thislabelisjustoverthesixtythreecharacterlimitandshouldbeanerror.com': {
    reason: 'the checked domain has a label over 63 characters (s4.3: none before any record is read)',
    disagree: 'valid',
  },
  'basic.yml:Malformed Domains:nolabels': {
    reason: 'the checked domain is a single label (s4.3: none before any record is read)',
    disagree: 'valid',
  },
  'basic.yml:DNS Temp Error:_dns_error.org': {
    reason: "stalwart's resolver fails for this name (temperror)",
    code: 'spf-dns-error',
  },
  'basic.yml:DNS Lookup Limits:err.test.org': {
    reason: '11 a: terms (s4.6.4)',
    code: 'spf-too-many-lookups',
  },
  'basic.yml:DNS Lookup Limits:inc1.org': {
    reason: 'includes nested 11 deep (s4.6.4)',
    code: 'spf-too-many-lookups',
  },
  'basic.yml:DNS Lookup Limits:mx.test.org': {
    reason: 'the mx target has 11 MX records (s4.6.4)',
    code: 'spf-too-many-mx',
  },
  'include.yml:Include match:include.permerror.test.org': {
    reason: 'the syntax error ("+all/32") is in the included record',
    code: 'spf-syntax-error',
  },
  'include.yml:Include match:include.none.test.org': {
    reason: 'the included domain has no SPF record',
    code: 'spf-include-no-spf',
  },
  'include.yml:Include loop:test.org': { reason: 'the record includes itself', code: 'spf-include-loop' },
  'redirect.yml:Redirect loop:test.org': { reason: 'redirect= to itself', code: 'spf-redirect-loop' },
  'redirect.yml:Redirect not found:test.org': {
    reason: 'the redirect= target has no SPF record',
    code: 'spf-redirect-no-spf',
  },
};

const noFetcher: Fetcher = {
  fetch: async (url) => ({ ok: false, url, failure: 'bad-url', error: 'no fetches in SPF tests' }),
};

function verdictOf(texts: string[]): Verdict {
  const records = texts.filter((t) => spfVersionKind(t) === 'spf1');
  if (records.length === 0) return 'none';
  if (records.length > 1) return 'permerror';
  return parseSpfRecord(records[0]!).errors.length > 0 ? 'permerror' : 'valid';
}

function agrees(verdict: Verdict, expected: string[]): boolean {
  if (verdict === 'valid') return expected.some((e) => e !== 'permerror' && e !== 'none');
  return expected.includes(verdict);
}

async function findingCodes(zone: Zone, domain: string): Promise<string[]> {
  const report = await checkSpf(domain, {
    resolver: new ZoneResolver(zone),
    fetcher: noFetcher,
    options: {},
  });
  return report.findings.map((f) => f.code);
}

// ---- openspf YAML suites ----

type RR = Record<string, unknown> | string;

interface OpenSpfCase {
  name: string;
  scenario: string;
  domain: string;
  expected: string[];
  /** The TXT texts a receiver reads, or "dns" when the lookup itself times out. */
  texts: string[] | 'dns';
  zonedata: Record<string, RR[]>;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The suite's "\xNN" escapes stand for bytes: Latin-1 maps each back to its byte. */
function bytesOf(s: string): Buffer {
  return /^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

function openSpfCases(file: string): OpenSpfCase[] {
  const cases: OpenSpfCase[] = [];
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const scenario = doc.toJS() as {
      description: string;
      tests: Record<string, { mailfrom?: string; helo: string; result: string | string[] }>;
      zonedata?: Record<string, RR[]>;
    } | null;
    if (!scenario) continue;
    const zonedata: Record<string, RR[]> = {};
    for (const [k, v] of Object.entries(scenario.zonedata ?? {})) zonedata[k.toLowerCase()] = v;
    for (const [name, t] of Object.entries(scenario.tests)) {
      const mailfrom = t.mailfrom ?? '';
      const domain = (
        mailfrom.includes('@') ? mailfrom.slice(mailfrom.lastIndexOf('@') + 1) : t.helo
      ).toLowerCase();
      const items = zonedata[domain] ?? [];
      const of = (type: string) =>
        items
          .filter((i): i is Record<string, unknown> => typeof i === 'object' && type in i)
          .map((i) => i[type]);
      const txt = of('TXT');
      const spf = of('SPF');
      const timeout = items.includes('TIMEOUT');
      const realTxt = txt.filter((v) => v !== 'NONE');
      let texts: string[] | 'dns';
      if (timeout && realTxt.length === 0) texts = 'dns';
      else {
        const source = txt.length > 0 ? realTxt : spf.filter((v) => v !== 'NONE');
        texts = source.map((v) =>
          stringsOf(v)
            .map((s) => bytesOf(s).toString('latin1'))
            .join(''),
        );
      }
      cases.push({
        name,
        scenario: scenario.description,
        domain,
        expected: [t.result].flat(),
        texts,
        zonedata,
      });
    }
  }
  return cases;
}

/** Zone data of a suite scenario: SPF-type records are served as TXT too when no TXT is given. */
function openSpfZone(zonedata: Record<string, RR[]>): Zone {
  const zone = new Zone();
  for (const [name, items] of Object.entries(zonedata)) {
    const listed = new Set<string>();
    const hasTxt = items.some((i) => typeof i === 'object' && 'TXT' in i);
    for (const item of items) {
      if (typeof item === 'string') continue;
      const [type, value] = Object.entries(item)[0]!;
      if (value === 'NONE') continue;
      listed.add(type);
      switch (type) {
        case 'TXT':
        case 'SPF': {
          const strings = stringsOf(value).map(bytesOf);
          zone.add(name, type, strings);
          if (type === 'SPF' && !hasTxt) zone.add(name, 'TXT', strings);
          break;
        }
        case 'MX': {
          const [preference, host] = value as [number, string];
          zone.add(name, 'MX', {
            preference,
            exchange: host === '' ? '' : host.toLowerCase().replace(/\.$/, ''),
          });
          break;
        }
        case 'A':
        case 'AAAA':
        case 'PTR':
        case 'CNAME':
          zone.add(name, type, String(value));
          break;
      }
    }
    // TIMEOUT: every type the scenario gives no value for times out.
    if (items.includes('TIMEOUT')) {
      if (!hasTxt && listed.has('SPF')) listed.add('TXT');
      for (const type of ['TXT', 'SPF', 'A', 'AAAA', 'MX', 'PTR'] as RRType[]) {
        if (!listed.has(type)) zone.misbehave(name, 'timeout', type);
      }
    }
  }
  return zone;
}

for (const suite of ['rfc7208-tests.yml', 'rfc4408-tests.yml']) {
  describe.skipIf(!present)(`SPF conformance: openspf ${suite} (skipped: ../shared/corpus absent)`, () => {
    const cases = present ? openSpfCases(path.join(suites, 'spf-rfc7208', suite)) : [];

    it('reads the whole suite', () => {
      expect(cases.length).toBeGreaterThan(150);
    });

    it('agrees with every result decided by the record text', () => {
      const disagreements: string[] = [];
      let judged = 0;
      for (const c of cases) {
        if (c.name in openSpfNotBySyntax) continue;
        if (c.texts === 'dns') {
          disagreements.push(`${c.name}: DNS failure case not listed`);
          continue;
        }
        judged++;
        const verdict = verdictOf(c.texts);
        if (!agrees(verdict, c.expected)) {
          disagreements.push(
            `${c.scenario} / ${c.name}: expected ${c.expected.join('|')}, Sumi says ${verdict}`,
          );
        }
      }
      expect(disagreements).toEqual([]);
      expect(judged).toBeGreaterThan(150);
    });

    it('finds the evaluation problem behind every case not decided by syntax', async () => {
      const missed: string[] = [];
      for (const c of cases) {
        const listed = openSpfNotBySyntax[c.name];
        if (!listed) continue;
        // Listed because the record alone does not decide it: the text must parse.
        if (c.texts !== 'dns') expect(verdictOf(c.texts), c.name).toBe('valid');
        const codes = await findingCodes(openSpfZone(c.zonedata), c.domain);
        if (!codes.includes(listed.code))
          missed.push(`${c.name} (${listed.reason}): got ${codes.join(', ')}`);
      }
      expect(missed).toEqual([]);
    });
  });
}

// ---- stalwart line-oriented cases ----

interface StalwartCase {
  key: string;
  scenario: string;
  domain: string;
  expected: string;
  texts: string[];
  zone: Zone;
}

function stalwartCases(dir: string): StalwartCase[] {
  const cases: StalwartCase[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    for (const doc of fs.readFileSync(path.join(dir, file), 'utf8').split(/^---\s*$/m)) {
      const scenario = /^name:\s*(.*)$/m.exec(doc)?.[1] ?? file;
      const zone = new Zone();
      const spf = new Map<string, string[]>();
      for (const m of doc.matchAll(/^\s*(spf|exp|a|aaaa|mx|ptr):\s*(\S+)\s+(.*?)\s*$/gm)) {
        const [, type, rawName, rest] = m as unknown as [string, string, string, string];
        const name = rawName.toLowerCase();
        const list = rest.split(',').map((s) => s.trim());
        if (type === 'spf') {
          spf.set(name, [...(spf.get(name) ?? []), rest]);
          zone.txt(name, rest);
        } else if (type === 'exp') zone.txt(name, rest);
        else if (type === 'a') for (const ip of list) zone.add(name, 'A', ip);
        else if (type === 'aaaa') for (const ip of list) zone.add(name, 'AAAA', ip);
        else if (type === 'mx') {
          list.forEach((ip, i) => {
            const host = `mx${i}.${name}`;
            zone.add(name, 'MX', { preference: i, exchange: host });
            zone.add(host, ip.includes(':') ? 'AAAA' : 'A', ip);
          });
        }
      }
      zone.misbehave('_dns_error.org', 'servfail');
      for (const test of doc.split(/^\s*-\s+domain:/m).slice(1)) {
        const helo = test.split('\n')[0]!.trim();
        const sender = /^\s*sender:[ \t]*(.*?)\s*$/m.exec(test)?.[1] ?? '';
        const expected = /^\s*expect:\s*(\S+)/m.exec(test)?.[1] ?? '';
        const domain = (
          sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1) : helo
        ).toLowerCase();
        cases.push({
          key: `${file}:${scenario}:${domain}`,
          scenario,
          domain,
          expected,
          texts: spf.get(domain) ?? [],
          zone,
        });
      }
    }
  }
  return cases;
}

describe.skipIf(!present)('SPF conformance: stalwart cases (skipped: ../shared/corpus absent)', () => {
  const cases = present ? stalwartCases(path.join(suites, 'spf-stalwart')) : [];

  it('reads every case', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it('agrees with every result decided by the record text', () => {
    const disagreements: string[] = [];
    for (const c of cases) {
      const listed = stalwartNotBySyntax[c.key];
      const verdict = verdictOf(c.texts);
      if (listed && 'disagree' in listed) {
        // A documented disagreement: it must still be what Sumi says.
        expect(verdict, `${c.key}: ${listed.reason}`).toBe(listed.disagree);
        continue;
      }
      if (listed && c.expected === 'permerror' && verdict === 'valid') continue;
      if (listed && c.expected === 'temperror') continue;
      if (!agrees(verdict, [c.expected])) {
        disagreements.push(`${c.scenario} / ${c.domain}: expected ${c.expected}, Sumi says ${verdict}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('finds the evaluation problem behind every case not decided by syntax', async () => {
    const missed: string[] = [];
    for (const c of cases) {
      const listed = stalwartNotBySyntax[c.key];
      if (!listed || 'disagree' in listed) continue;
      if (c.expected !== 'permerror' && c.expected !== 'temperror') continue;
      const codes = await findingCodes(c.zone, c.domain);
      if (!codes.includes(listed.code)) missed.push(`${c.key} (${listed.reason}): got ${codes.join(', ')}`);
    }
    expect(missed).toEqual([]);
  });
});
