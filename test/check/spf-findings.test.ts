import { describe, expect, it } from 'vitest';
import type { SpfWalkLimits } from '../../src/check/spf.ts';
import type { CheckOptions } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { spfFindings } from '../../src/i18n/findings/spf.ts';
import { describeFinding, type FindingCode } from '../../src/records/finding.ts';
import { runSpf } from './spf-helpers.ts';

/**
 * Every SPF finding code, each with a zone that triggers it and one that does not. Zones are
 * zone-file text with origin example.com (the domain checked), or a Zone built in code where
 * the zone-file syntax cannot say it (strings over 255 bytes).
 */

interface Case {
  trigger: string | (() => Zone);
  clean: string | (() => Zone);
  options?: CheckOptions;
  limits?: Partial<SpfWalkLimits>;
}

const spf = (record: string, extra = '') => `@ TXT "${record}"\n${extra}`;
const hosts = (n: number, prefix = 'h') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}.example.com. A 192.0.2.${i + 1}`).join('\n');
const aTerms = (n: number, prefix = 'h') =>
  Array.from({ length: n }, (_, i) => `a:${prefix}${i}.example.com`).join(' ');
const mxRecords = (n: number) =>
  Array.from({ length: n }, (_, i) => `mxs MX ${i} m${i}.example.com.\nm${i} A 192.0.2.${i + 1}`).join('\n');

function zoneWithStrings(strings: string[]): Zone {
  return new Zone().add(
    'example.com',
    'TXT',
    strings.map((s) => Buffer.from(s)),
  );
}
const ip4s = (n: number) => Array.from({ length: n }, (_, i) => `ip4:198.51.100.${i}`).join(' ');

const cases: Record<FindingCode & `spf-${string}`, Case> = {
  'spf-missing': { trigger: '@ TXT "google-site-verification=abc"', clean: spf('v=spf1 -all') },
  'spf-domain-not-found': { trigger: 'other.example.net. A 192.0.2.1', clean: spf('v=spf1 -all') },
  'spf-dns-error': { trigger: '@ SERVFAIL TXT', clean: spf('v=spf1 -all') },
  'spf-malformed-version': { trigger: spf('v=spf10 -all'), clean: spf('v=spf1 -all') },
  'spf-multiple-records': {
    trigger: `${spf('v=spf1 ip4:192.0.2.1 -all')}@ TXT "v=spf1 ip4:192.0.2.2 -all"`,
    clean: spf('v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all'),
  },
  'spf-syntax-error': {
    trigger: spf('v=spf1 ip4:192.0.2.1 moo -all'),
    clean: spf('v=spf1 ip4:192.0.2.1 -all'),
  },
  'spf-macro-syntax-error': {
    trigger: spf('v=spf1 exists:%(i)._spf.example.com -all'),
    clean: spf('v=spf1 exists:%{i}._spf.example.com -all'),
  },
  'spf-macro-in-ip': { trigger: spf('v=spf1 ip4:%{i} -all'), clean: spf('v=spf1 ip4:192.0.2.1 -all') },
  'spf-invalid-ip4': { trigger: spf('v=spf1 ip4:192.0.2 -all'), clean: spf('v=spf1 ip4:192.0.2.0/24 -all') },
  'spf-invalid-ip6': {
    trigger: spf('v=spf1 ip6:2001:db8:::1 -all'),
    clean: spf('v=spf1 ip6:2001:db8::1 -all'),
  },
  'spf-invalid-cidr': {
    trigger: spf('v=spf1 ip4:192.0.2.0/33 -all'),
    clean: spf('v=spf1 ip4:192.0.2.0/32 -all'),
  },
  'spf-empty-target': { trigger: spf('v=spf1 include: -all'), clean: spf('v=spf1 -all') },
  'spf-duplicate-modifier': {
    trigger: spf('v=spf1 redirect=_spf.example.com redirect=_spf.example.com', '_spf TXT "v=spf1 -all"'),
    clean: spf('v=spf1 redirect=_spf.example.com', '_spf TXT "v=spf1 -all"'),
  },
  'spf-invalid-utf8': {
    trigger: '@ TXT "v=spf1 ip4:192.0.2.1 \\200-all"',
    clean: spf('v=spf1 ip4:192.0.2.1 -all'),
  },
  'spf-terms-run-together': {
    trigger:
      '@ TXT "v=spf1 include:_spf.example.net" "include:_spf.example.org -all"\n_spf.example.net. TXT "v=spf1 -all"\n_spf.example.org. TXT "v=spf1 -all"',
    clean:
      '@ TXT "v=spf1 include:_spf.example.net " "include:_spf.example.org -all"\n_spf.example.net. TXT "v=spf1 -all"\n_spf.example.org. TXT "v=spf1 -all"',
  },
  'spf-string-too-long': {
    trigger: () => zoneWithStrings([`v=spf1 ${ip4s(16)} -all`]),
    clean: () => zoneWithStrings([`v=spf1 ${ip4s(8)} `, `${ip4s(8)} -all`]),
  },
  'spf-record-too-large': {
    trigger: () => zoneWithStrings([`v=spf1 ${ip4s(10)} `, `${ip4s(10)} `, `${ip4s(10)} -all`]),
    clean: () => zoneWithStrings([`v=spf1 ${ip4s(10)} `, `${ip4s(10)} -all`]),
  },
  'spf-record-large': {
    trigger: () => zoneWithStrings([`v=spf1 ${ip4s(10)} `, `${ip4s(10)} `, `${ip4s(7)} -all`]),
    clean: () => zoneWithStrings([`v=spf1 ${ip4s(10)} `, `${ip4s(10)} -all`]),
  },
  'spf-permissive-all': {
    trigger: spf('v=spf1 ip4:192.0.2.1 +all'),
    clean: spf('v=spf1 ip4:192.0.2.1 -all'),
  },
  'spf-neutral-all': { trigger: spf('v=spf1 ip4:192.0.2.1 ?all'), clean: spf('v=spf1 ip4:192.0.2.1 ~all') },
  'spf-softfail-all': { trigger: spf('v=spf1 ip4:192.0.2.1 ~all'), clean: spf('v=spf1 ip4:192.0.2.1 -all') },
  'spf-fail-all': { trigger: spf('v=spf1 ip4:192.0.2.1 -all'), clean: spf('v=spf1 ip4:192.0.2.1 ~all') },
  'spf-no-all': { trigger: spf('v=spf1 ip4:192.0.2.1'), clean: spf('v=spf1 ip4:192.0.2.1 ~all') },
  'spf-terms-after-all': {
    trigger: spf('v=spf1 -all ip4:192.0.2.1'),
    clean: spf('v=spf1 ip4:192.0.2.1 -all'),
  },
  'spf-multiple-all': {
    trigger: spf('v=spf1 ip4:192.0.2.1 -all ~all'),
    clean: spf('v=spf1 ip4:192.0.2.1 -all'),
  },
  'spf-redirect-ignored': {
    trigger: spf('v=spf1 -all redirect=_spf.example.com', '_spf TXT "v=spf1 -all"'),
    clean: spf('v=spf1 redirect=_spf.example.com', '_spf TXT "v=spf1 -all"'),
  },
  'spf-unknown-modifier': { trigger: spf('v=spf1 -all default=deny'), clean: spf('v=spf1 -all rp=100') },
  'spf-ptr-mechanism': { trigger: spf('v=spf1 ptr -all'), clean: spf('v=spf1 a -all', '@ A 192.0.2.1') },
  'spf-p-macro': {
    trigger: spf('v=spf1 exists:%{p}._spf.example.com -all'),
    clean: spf('v=spf1 exists:%{i}._spf.example.com -all'),
  },
  'spf-invalid-target-name': {
    trigger: spf('v=spf1 a:mail.example..com -all'),
    clean: spf('v=spf1 a:mail.example.com -all', 'mail A 192.0.2.1'),
  },
  'spf-duplicate-include': {
    trigger: spf(
      'v=spf1 include:_spf.example.net include:_spf.example.net -all',
      '_spf.example.net. TXT "v=spf1 -all"',
    ),
    clean: spf('v=spf1 include:_spf.example.net -all', '_spf.example.net. TXT "v=spf1 -all"'),
  },
  'spf-broad-ip-range': {
    trigger: spf('v=spf1 ip4:0.0.0.0/1 -all'),
    clean: spf('v=spf1 ip4:198.51.100.0/24 -all'),
  },
  'spf-private-ip': { trigger: spf('v=spf1 ip4:10.0.0.1 -all'), clean: spf('v=spf1 ip4:198.51.100.1 -all') },
  'spf-parked-not-deny-all': {
    trigger: spf('v=spf1 mx -all', '@ MX 10 mail\nmail A 192.0.2.1'),
    clean: spf('v=spf1 -all'),
    options: { parked: true },
  },
  'spf-type99-record': { trigger: `${spf('v=spf1 -all')}@ SPF "v=spf1 -all"`, clean: spf('v=spf1 -all') },
  'spf-sender-id-record': {
    trigger: `${spf('v=spf1 -all')}@ TXT "spf2.0/mfrom,pra -all"`,
    clean: spf('v=spf1 -all'),
  },
  'spf-too-many-lookups': {
    trigger: spf(`v=spf1 ${aTerms(11)} -all`, hosts(11)),
    clean: spf(`v=spf1 ${aTerms(10)} -all`, hosts(10)),
  },
  'spf-lookups-near-limit': {
    trigger: spf(`v=spf1 ${aTerms(9)} -all`, hosts(9)),
    clean: spf(`v=spf1 ${aTerms(8)} -all`, hosts(8)),
  },
  'spf-too-many-void-lookups': {
    trigger: spf(`v=spf1 ${aTerms(3)} -all`),
    clean: spf(`v=spf1 ${aTerms(2)} -all`),
  },
  'spf-include-loop': {
    trigger: spf(
      'v=spf1 include:_spf.example.net -all',
      '_spf.example.net. TXT "v=spf1 include:example.com -all"',
    ),
    clean: spf('v=spf1 include:_spf.example.net -all', '_spf.example.net. TXT "v=spf1 -all"'),
  },
  'spf-redirect-loop': {
    trigger: spf('v=spf1 redirect=_spf.example.com', '_spf TXT "v=spf1 redirect=example.com"'),
    clean: spf('v=spf1 redirect=_spf.example.com', '_spf TXT "v=spf1 -all"'),
  },
  'spf-too-many-mx': {
    trigger: spf('v=spf1 mx:mxs.example.com -all', mxRecords(11)),
    clean: spf('v=spf1 mx:mxs.example.com -all', mxRecords(10)),
  },
  'spf-a-no-address': {
    trigger: spf('v=spf1 a:mail.example.com -all', 'mail TXT "no address here"'),
    clean: spf('v=spf1 a:mail.example.com -all', 'mail AAAA 2001:db8::1'),
  },
  'spf-mx-no-records': {
    trigger: spf('v=spf1 mx -all'),
    clean: spf('v=spf1 mx -all', '@ MX 10 mail\nmail A 192.0.2.1'),
  },
  'spf-mx-host-no-address': {
    trigger: spf('v=spf1 mx -all', '@ MX 10 mail'),
    clean: spf('v=spf1 mx -all', '@ MX 10 mail\nmail A 192.0.2.1'),
  },
  'spf-include-no-spf': {
    trigger: spf('v=spf1 include:_spf.example.net -all', '_spf.example.net. TXT "not spf"'),
    clean: spf('v=spf1 include:_spf.example.net -all', '_spf.example.net. TXT "v=spf1 -all"'),
  },
  'spf-redirect-no-spf': {
    trigger: spf('v=spf1 redirect=_spf.example.net'),
    clean: spf('v=spf1 redirect=_spf.example.net', '_spf.example.net. TXT "v=spf1 -all"'),
  },
  'spf-exp-unusable': {
    trigger: spf('v=spf1 -all exp=why.example.com', 'why TXT "one" \nwhy TXT "two"'),
    clean: spf('v=spf1 -all exp=why.example.com', 'why TXT "%{i} is not one of our servers"'),
  },
  'spf-ptr-target-missing': {
    trigger: spf('v=spf1 ptr:gone.example.net -all'),
    clean: spf('v=spf1 ptr:example.com -all'),
  },
  'spf-macro-not-followed': {
    trigger: spf('v=spf1 include:%{d}._spf.example.net -all'),
    clean: spf('v=spf1 include:_spf.example.net -all', '_spf.example.net. TXT "v=spf1 -all"'),
  },
  'spf-walk-limit-reached': {
    trigger: spf(`v=spf1 ${aTerms(3)} -all`, hosts(3)),
    clean: spf(`v=spf1 ${aTerms(3)} -all`, hosts(3)),
    limits: { maxQueries: 4 },
  },
};

describe('every SPF finding code', () => {
  it('has a case here', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(spfFindings).sort());
  });

  for (const [code, c] of Object.entries(cases)) {
    it(`${code}: triggered`, async () => {
      const zone = typeof c.trigger === 'string' ? c.trigger : c.trigger();
      const { report, codes } = await runSpf(zone, c.options, c.limits);
      expect(codes, JSON.stringify(report.findings, null, 1)).toContain(code);
      // Every finding reads in both languages.
      for (const f of report.findings) {
        for (const lang of ['en', 'ja'] as const) {
          const d = describeFinding(f, lang);
          expect(d.message).not.toMatch(/undefined|\[object/);
          if (d.fix) expect(d.fix).not.toMatch(/undefined|\[object/);
        }
      }
    });
    it(`${code}: not triggered`, async () => {
      const zone = typeof c.clean === 'string' ? c.clean : c.clean();
      const limits = code === 'spf-walk-limit-reached' ? {} : c.limits;
      const { report, codes } = await runSpf(zone, c.options, limits);
      expect(codes, JSON.stringify(report.findings, null, 1)).not.toContain(code);
    });
  }
});
