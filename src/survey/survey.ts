import { JP_ATTRIBUTE_TYPES, JP_PREFECTURES, OTHER_CATEGORY } from './categorise.ts';
import type { InputLine } from './input.ts';
import type { DomainMeasurement } from './measure.ts';
import { type OrganisationRule, SurveyTally } from './metrics.ts';
import {
  buildReport,
  DEFINITIONS,
  DKIM_DEFINITION,
  dkimQuestion,
  QUESTIONS,
  type SurveyMethod,
  type SurveyReport,
} from './report.ts';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_QPS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_RETRY_PASSES,
  type ScanOptions,
  type ScanStats,
  scanDomains,
} from './scan.ts';

export interface SurveyOptions extends ScanOptions {
  /** How categories were decided, for the method (`jp`, `tld`, a file name, `list`). */
  categories: string;
  organisationRule?: OrganisationRule;
  /** The resolver as the user named it, for the method. */
  resolverLabel: string;
  /**
   * Each domain's measurement as it is final (per-domain output, progress). A promise holds
   * the scan until it settles: a slow writer slows the scan instead of filling memory.
   */
  onResult?: (m: DomainMeasurement, stats: ScanStats) => void | Promise<void>;
}

/** Category order for `--categories jp`: attribute types, general-use, prefectures (JIS order). */
export const JP_CATEGORY_ORDER: readonly string[] = [
  ...JP_ATTRIBUTE_TYPES.map((t) => `${t}.jp`),
  'jp',
  ...JP_PREFECTURES.map(([ascii]) => `${ascii}.jp`),
  OTHER_CATEGORY,
];

/** Scans a domain list and counts it: the whole of `sumi survey` except printing. */
export async function runSurvey(
  lines: AsyncIterable<InputLine>,
  options: SurveyOptions,
): Promise<SurveyReport> {
  const started = new Date();
  const tally = new SurveyTally();
  const stats: ScanStats = { lines: 0, invalid: 0, retried: 0, sharedHits: 0, sharedMisses: 0 };
  for await (const m of scanDomains(lines, options, stats)) {
    tally.add(m);
    await options.onResult?.(m, stats);
  }
  return buildReport(
    tally,
    surveyMethod(options, { ...stats, started, finished: new Date() }),
    categoryOrder(options.categories),
  );
}

/** What `surveyMethod` needs of a scan's options: the method, not the means (resolver, callbacks). */
export type MethodOptions = Pick<
  SurveyOptions,
  | 'categories'
  | 'organisationRule'
  | 'resolverLabel'
  | 'retryPasses'
  | 'retryDelayMs'
  | 'qps'
  | 'concurrency'
  | 'dkimSelectors'
>;

/** The method a scan states with its numbers (also rebuilt for a stored scan from its options). */
export function surveyMethod(
  options: MethodOptions,
  run: { lines: number; invalid: number; retried: number; started: Date; finished: Date },
): SurveyMethod {
  const qps = options.qps ?? DEFAULT_QPS;
  const dkim = options.dkimSelectors?.length ? [...options.dkimSelectors] : undefined;
  const method: SurveyMethod = {
    unit: 'domain',
    categories: options.categories,
    organisationRule: options.organisationRule ?? 'any',
    questions: dkim ? [...QUESTIONS, dkimQuestion(dkim)] : QUESTIONS,
    measured: DEFINITIONS.measured!,
    denominator:
      'every count and share is among measured domains (organisations: among organisations whose domains were all measured); unmeasured domains are counted apart, never as absent',
    definitions: dkim ? { ...DEFINITIONS, dkim: DKIM_DEFINITION } : DEFINITIONS,
    dmarcDiscovery: 'RFC 9989 DNS tree walk (at most 8 _dmarc names)',
    interval: 'Wilson score interval, 95% (z = 1.96)',
    retries: {
      passes: options.retryPasses ?? DEFAULT_RETRY_PASSES,
      firstDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
      on: ['servfail', 'timeout', 'refused'],
      domainsRetried: run.retried,
    },
    qps: qps > 0 ? qps : null,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    resolver: options.resolverLabel,
    input: { lines: run.lines, invalid: run.invalid },
    started: run.started.toISOString(),
    finished: run.finished.toISOString(),
  };
  if (dkim) method.dkimSelectors = dkim;
  return method;
}

/** The categoriser's natural category order, when it has one. */
export function categoryOrder(categories: string): readonly string[] | undefined {
  return categories === 'jp' ? JP_CATEGORY_ORDER : undefined;
}
