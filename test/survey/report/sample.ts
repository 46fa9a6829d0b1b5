import type { DomainMeasurement } from '../../../src/survey/measure.ts';
import { SurveyTally } from '../../../src/survey/metrics.ts';
import type { TrendScan } from '../../../src/survey/report/index.ts';
import { buildReport, DEFINITIONS, QUESTIONS, type SurveyReport } from '../../../src/survey/report.ts';

/** How many domains of a category have each fact (the first N measured domains do). */
export interface SampleCategory {
  name: string;
  domains: number;
  unmeasured?: number;
  spf: number;
  dmarc: number;
  quarantine?: number;
  reject?: number;
  bimi?: number;
  /** Domains per organisation (organisation names `<category> org <n>`), when the list names them. */
  perOrganisation?: number;
  /** Organisation name prefix instead of the category name. */
  organisationName?: string;
}

/** A report built the way a scan builds it, from hand-made measurements. */
export function sampleReport(
  categories: SampleCategory[],
  started = '2026-11-28T10:00:00.000Z',
): SurveyReport {
  const tally = new SurveyTally();
  for (const c of categories) {
    const measuredFrom = c.unmeasured ?? 0;
    for (let i = 0; i < c.domains; i++) {
      const k = i - measuredFrom;
      const dmarc = k >= 0 && k < c.dmarc;
      const p =
        k < (c.reject ?? 0) ? 'reject' : k < (c.reject ?? 0) + (c.quarantine ?? 0) ? 'quarantine' : 'none';
      const m: DomainMeasurement = {
        domain: `d${i}.${c.name}`,
        category: c.name,
        measured: k >= 0,
        questions: [],
        passes: 1,
        spf:
          k >= 0 && k < c.spf
            ? { records: 1, valid: true, all: k % 2 ? '-' : '~' }
            : { records: 0, valid: false },
        dmarc: dmarc
          ? { records: 1, applies: true, source: 'own record', p, rua: k % 3 === 0, sp: false, np: false }
          : { records: 0, applies: false },
        mx: 'hosts',
        bimi: k >= 0 && k < (c.bimi ?? 0),
        mtaSts: false,
        tlsRpt: false,
      };
      if (c.perOrganisation)
        m.organisation = `${c.organisationName ?? c.name} org ${Math.floor(i / c.perOrganisation)}`;
      tally.add(m);
    }
  }
  return buildReport(
    tally,
    {
      unit: 'domain',
      categories: 'jp',
      organisationRule: 'any',
      questions: QUESTIONS,
      measured: DEFINITIONS.measured!,
      denominator: 'measured domains',
      definitions: DEFINITIONS,
      dmarcDiscovery: 'RFC 9989 DNS tree walk',
      interval: 'Wilson score interval, 95% (z = 1.96)',
      retries: { passes: 2, firstDelayMs: 500, on: ['servfail', 'timeout', 'refused'], domainsRetried: 3 },
      qps: 500,
      concurrency: 64,
      resolver: '127.0.0.1:53',
      input: { lines: categories.reduce((n, c) => n + c.domains, 0) + 1, invalid: 1 },
      started,
      finished: started.replace('10:00', '10:05'),
    },
    categories.map((c) => c.name),
  );
}

/** Shaped like the ministry's .jp charts: SPF near 60-90%, DMARC an order of magnitude lower. */
export const JP_SAMPLE: SampleCategory[] = [
  { name: 'co.jp', domains: 1200, unmeasured: 12, spf: 900, dmarc: 160, quarantine: 30, reject: 20, bimi: 3 },
  { name: 'ne.jp', domains: 300, unmeasured: 2, spf: 200, dmarc: 30, reject: 5 },
  { name: 'or.jp', domains: 400, spf: 260, dmarc: 25, quarantine: 4 },
  { name: 'ac.jp', domains: 350, unmeasured: 1, spf: 320, dmarc: 70, quarantine: 10, reject: 8 },
  { name: 'go.jp', domains: 120, spf: 118, dmarc: 96, quarantine: 20, reject: 60 },
  { name: 'lg.jp', domains: 900, unmeasured: 5, spf: 820, dmarc: 60, quarantine: 5, reject: 3 },
  { name: 'ed.jp', domains: 200, spf: 90, dmarc: 6 },
  { name: 'gr.jp', domains: 150, spf: 70, dmarc: 4 },
  { name: 'ad.jp', domains: 30, spf: 25, dmarc: 6, reject: 2 },
  { name: 'jp', domains: 1500, unmeasured: 9, spf: 1000, dmarc: 180, quarantine: 25, reject: 30, bimi: 2 },
  { name: 'tokyo.jp', domains: 200, spf: 120, dmarc: 15, reject: 1 },
  { name: 'osaka.jp', domains: 90, spf: 50, dmarc: 5 },
];

/** A report as one scan of a trend. */
export function trendScan(name: string, report: SurveyReport): TrendScan {
  return {
    name,
    date: report.method.started,
    categories: report.categories.map((c) => ({ name: c.name, domains: c.domains, counts: c })),
    total: report.total,
    dkim: report.method.dkimSelectors !== undefined,
  };
}
