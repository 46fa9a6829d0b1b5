export { SHARED_CACHE_ENTRIES, SharedAnswerCache } from './cache.ts';
export * from './categorise.ts';
export * from './dkim.ts';
export {
  DomainListError,
  type InputLine,
  MAX_INPUT_FIELD,
  normaliseListDomain,
  readDomainList,
  type SurveyItem,
} from './input.ts';
export { type AskedQuestion, type DomainMeasurement, type MxState, measureDomain } from './measure.ts';
export {
  Counts,
  FLAGS,
  type Flag,
  type Interval,
  type OrganisationRule,
  SurveyTally,
  wilson,
  Z_95,
} from './metrics.ts';
export { RateLimitedResolver, TokenBucket } from './rate.ts';
export * from './report.ts';
export * from './scan.ts';
export * from './stored.ts';
export * from './survey.ts';
