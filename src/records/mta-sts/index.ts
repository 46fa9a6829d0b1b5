export {
  buildMtaSts,
  DEFAULT_MTA_STS_MAX_AGE,
  type MtaStsBuild,
  type MtaStsBuildOptions,
  policyId,
} from './build.ts';
export { type Field, type Fields, type FieldsError, type FieldsProblem, parseFields } from './fields.ts';
export {
  coveringPattern,
  lintPolicyContentType,
  MAX_MTA_STS_POLICY_BYTES,
  MAX_POLICY_LINE_FINDINGS,
  MTA_STS_MAX_AGE_LIMIT,
  MTA_STS_MIN_ENFORCE_MAX_AGE,
  MTA_STS_MIN_MAX_AGE,
  type MtaStsMode,
  type MtaStsPolicy,
  type MtaStsPolicyResult,
  mxPatternMatches,
  mxPatternProblem,
  parseMtaStsPolicy,
} from './policy.ts';
export {
  looksLikeMtaStsRecord,
  MAX_MTA_STS_RECORD_LENGTH,
  type MtaStsRecord,
  type MtaStsRecordResult,
  parseMtaStsRecord,
} from './record.ts';
