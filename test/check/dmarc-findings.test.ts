import { describe, expect, it } from 'vitest';
import type { CheckOptions } from '../../src/check/types.ts';
import { dmarcFindings } from '../../src/i18n/findings/dmarc.ts';
import { describeFinding } from '../../src/records/finding.ts';
import { HEALTHY, quote, run, withRecord } from './dmarc-helpers.ts';

/**
 * Every DMARC finding code: a zone that triggers it and one that does not, each checked
 * through the in-memory zone resolver exactly as `sumi check` would.
 */
interface Case {
  zone: string;
  domain?: string;
  options?: CheckOptions;
}

const RUA = 'rua=mailto:dmarc@example.jp';
const EXTERNAL = `
reports.example.net.  MX  10 mx.reports.example.net.
`;

const cases: Record<keyof typeof dmarcFindings, { trigger: Case; clean: Case }> = {
  'dmarc-missing': {
    trigger: { zone: HEALTHY.replace(/^_dmarc.*$/m, '') },
    clean: { zone: HEALTHY },
  },
  'dmarc-domain-not-found': {
    trigger: { zone: HEALTHY, domain: 'nosuch.example.jp' },
    clean: { zone: `${HEALTHY}\nsub A 192.0.2.1`, domain: 'sub.example.jp' },
  },
  'dmarc-dns-error': {
    trigger: { zone: `${HEALTHY}\n_dmarc SERVFAIL TXT` },
    clean: { zone: HEALTHY },
  },
  'dmarc-multiple-records': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; ${RUA}`, 'v=DMARC1; p=none') },
    clean: { zone: HEALTHY },
  },
  'dmarc-unrelated-txt': {
    trigger: { zone: `${HEALTHY}\n_dmarc TXT "google-site-verification=abc"` },
    clean: { zone: HEALTHY },
  },
  'dmarc-spf-at-dmarc': {
    trigger: { zone: `${HEALTHY}\n_dmarc TXT "v=spf1 -all"` },
    clean: { zone: HEALTHY },
  },
  'dmarc-at-apex': {
    trigger: { zone: `${HEALTHY}\n@ TXT "v=DMARC1; p=reject"` },
    clean: { zone: HEALTHY },
  },
  'dmarc-cname': {
    trigger: {
      zone: `${HEALTHY.replace(/^_dmarc.*$/m, '_dmarc CNAME example.jp._dmarc.service.example.jp.')}
example.jp._dmarc.service TXT "v=DMARC1; p=reject; np=reject; ${RUA}"`,
    },
    clean: { zone: HEALTHY },
  },
  'dmarc-inherited-policy': {
    trigger: { zone: `${HEALTHY}\nsub A 192.0.2.1`, domain: 'sub.example.jp' },
    clean: { zone: HEALTHY },
  },
  'dmarc-psd-policy': {
    trigger: {
      zone: `${HEALTHY.replace(/^_dmarc.*$/m, '')}\n_dmarc.jp. TXT "v=DMARC1; p=reject; psd=y; rua=mailto:psd@registry.example"`,
    },
    clean: {
      zone: `${HEALTHY}\n_dmarc.jp. TXT "v=DMARC1; p=reject; psd=y; rua=mailto:psd@registry.example"`,
    },
  },
  'dmarc-org-domain-differs': {
    trigger: {
      zone: `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=reject; np=reject; psd=n; ${RUA}"`,
      domain: 'dept.example.jp',
    },
    clean: { zone: `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=reject; ${RUA}"`, domain: 'dept.example.jp' },
  },
  'dmarc-subdomain-policy-ignored': {
    trigger: {
      zone: `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=reject; sp=reject; ${RUA}"`,
      domain: 'dept.example.jp',
    },
    clean: { zone: `${HEALTHY}\n_dmarc.dept TXT "v=DMARC1; p=reject; ${RUA}"`, domain: 'dept.example.jp' },
  },
  'dmarc-np-missing': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-psd-not-public-suffix': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; psd=y; ${RUA}`) },
    clean: { zone: withRecord(`v=DMARC1; p=reject; np=reject; psd=n; ${RUA}`) },
  },
  'dmarc-leading-whitespace': {
    trigger: { zone: withRecord(` v=DMARC1; p=reject; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-text-before-version': {
    trigger: { zone: withRecord(`"v=DMARC1; p=reject; np=reject; ${RUA}"`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-version-case': {
    trigger: { zone: withRecord(`v=dmarc1; p=reject; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-syntax-error': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf:mailto:f@example.jp`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-nonstandard-syntax': {
    trigger: { zone: withRecord(`v=DMARC1;;p=reject; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-invalid-utf8': {
    trigger: {
      zone: HEALTHY.replace(/^_dmarc.*$/m, `_dmarc TXT "v=DMARC1; p=reject; np=reject; ${RUA}; x=\\200"`),
    },
    clean: { zone: HEALTHY },
  },
  'dmarc-record-too-large': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; x=${'a'.repeat(3000)}`) },
    clean: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; x=${'a'.repeat(500)}`) },
  },
  'dmarc-duplicate-tag': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; p=none`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-unknown-tag': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ps=reject`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-removed-tag': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; pct=100`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-invalid-value': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; sp=non; np=reject; ${RUA}`) },
    clean: { zone: withRecord(`v=DMARC1; p=reject; sp=reject; np=reject; ${RUA}`) },
  },
  'dmarc-policy-missing': {
    trigger: { zone: withRecord(`v=DMARC1; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-policy-not-second': {
    trigger: { zone: withRecord(`v=DMARC1; ${RUA}; p=reject; np=reject`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-policy-none': {
    trigger: { zone: withRecord(`v=DMARC1; p=none; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-subdomain-policy-none': {
    trigger: { zone: withRecord(`v=DMARC1; p=none; sp=none; np=reject; ${RUA}`) },
    clean: { zone: withRecord(`v=DMARC1; p=none; np=reject; ${RUA}`) },
  },
  'dmarc-subdomain-policy-weaker': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; sp=none; np=reject; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-nonexistent-policy-weaker': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=quarantine; ${RUA}`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-testing-mode': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; t=y; ${RUA}`) },
    clean: { zone: withRecord(`v=DMARC1; p=reject; np=reject; t=n; ${RUA}`) },
  },
  'dmarc-parked-not-reject': {
    trigger: { zone: withRecord(`v=DMARC1; p=quarantine; np=reject; ${RUA}`), options: { parked: true } },
    clean: { zone: HEALTHY, options: { parked: true } },
  },
  'dmarc-fo-conflict': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf=mailto:f@example.jp; fo=0:1`) },
    clean: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf=mailto:f@example.jp; fo=1`) },
  },
  'dmarc-fo-without-ruf': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; fo=1`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-invalid-uri': {
    trigger: { zone: withRecord('v=DMARC1; p=reject; np=reject; rua=dmarc@example.jp') },
    clean: { zone: HEALTHY },
  },
  'dmarc-uri-not-mailto': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA},https://example.jp/dmarc`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-report-size-limit': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}!10m`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-too-many-uris': {
    trigger: {
      zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA},mailto:b@example.jp,mailto:c@example.jp`),
    },
    clean: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA},mailto:b@example.jp`) },
  },
  'dmarc-duplicate-uri': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA},mailto:dmarc@example.jp`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-no-rua': {
    trigger: { zone: withRecord('v=DMARC1; p=reject; np=reject') },
    clean: { zone: HEALTHY },
  },
  'dmarc-ruf-privacy': {
    trigger: { zone: withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf=mailto:f@example.jp`) },
    clean: { zone: HEALTHY },
  },
  'dmarc-report-domain-no-mx': {
    trigger: {
      zone: `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:d@reports.example.jp')}\nreports A 192.0.2.9`,
    },
    clean: {
      zone: `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:d@reports.example.jp')}\nreports MX 10 mx`,
    },
  },
  'dmarc-external-rua-unauthorized': {
    trigger: {
      zone: `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:d@reports.example.net')}${EXTERNAL}`,
    },
    clean: {
      zone: `${withRecord('v=DMARC1; p=reject; np=reject; rua=mailto:d@reports.example.net')}${EXTERNAL}
example.jp._report._dmarc.reports.example.net. TXT "v=DMARC1"`,
    },
  },
  'dmarc-external-ruf-unauthorized': {
    trigger: {
      zone: `${withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf=mailto:f@reports.example.net`)}${EXTERNAL}`,
    },
    clean: {
      zone: `${withRecord(`v=DMARC1; p=reject; np=reject; ${RUA}; ruf=mailto:f@reports.example.net`)}${EXTERNAL}
*._report._dmarc.reports.example.net. TXT "v=DMARC1;"`,
    },
  },
};

describe('every DMARC finding code', () => {
  it('has a case below', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(dmarcFindings).sort());
  });

  it('the healthy zone yields no finding at all', async () => {
    const { report } = await run(HEALTHY);
    expect(report.findings).toEqual([]);
    expect(report.status).toBe('ok');
  });

  for (const [code, { trigger, clean }] of Object.entries(cases)) {
    describe(code, () => {
      it('is reported when the zone has the problem', async () => {
        const { report } = await run(trigger.zone, trigger.domain, trigger.options);
        const hits = report.findings.filter((f) => f.code === code);
        expect(hits.length, JSON.stringify(report.findings.map((f) => f.code))).toBeGreaterThan(0);
        for (const f of hits) {
          for (const lang of ['en', 'ja'] as const) {
            const words = describeFinding(f, lang);
            expect(words.message).not.toMatch(/undefined|\$\{/);
            if (words.fix !== undefined) expect(words.fix).not.toMatch(/undefined|\$\{/);
          }
        }
      });

      it('is not reported when it does not', async () => {
        const { codes } = await run(clean.zone, clean.domain, clean.options);
        expect(codes).not.toContain(code);
      });
    });
  }
});

describe('catalog words', () => {
  it('every code has a title, message and why in English and Japanese', () => {
    for (const [code, entry] of Object.entries(dmarcFindings)) {
      expect(entry.protocol, code).toBe('dmarc');
      for (const lang of ['en', 'ja'] as const) {
        const text = entry[lang];
        expect(text.title.length, `${code} ${lang}`).toBeGreaterThan(3);
        expect(text.why.length, `${code} ${lang}`).toBeGreaterThan(20);
        expect(text.message({}).length).toBeGreaterThan(10);
      }
    }
  });

  it('Japanese text is Japanese', () => {
    for (const [code, entry] of Object.entries(dmarcFindings)) {
      expect(entry.ja.title, code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(entry.ja.why, code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});

describe('quote helper', () => {
  it('cuts long values into 255-byte strings', () => {
    expect(quote('a'.repeat(450)).split('" "')).toHaveLength(3);
  });
});
