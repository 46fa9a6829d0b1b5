export {
  buildSpfRecord,
  SPF_LOOKUP_LIMIT,
  type SpfBuildOptions,
  type SpfBuildResult,
  splitTxtStrings,
} from './build.ts';
export {
  isIp4Network,
  isIp6Network,
  SPF_BROAD_IP4_PREFIX,
  SPF_BROAD_IP6_PREFIX,
  unroutableRange,
} from './ip.ts';
export {
  findRunTogether,
  firstAll,
  lintSpfRecord,
  type RunTogether,
  repaired,
  SPF_MAX_STRING_BYTES,
  SPF_MAX_UDP_BYTES,
  SPF_RECOMMENDED_BYTES,
  SPF_RUN_TOGETHER_BUDGET,
  type SpfLint,
  type SpfLintInput,
  termTarget,
} from './lint.ts';
export {
  checkDomainSpec,
  checkExplainString,
  domainNameProblem,
  type MacroExpand,
  scanMacroString,
} from './macro.ts';
export {
  isSpfRecord,
  markRecord,
  parseSpfRecord,
  parseTerm,
  SPF_ERROR_MARKER,
  type SpfVersionKind,
  spfVersionKind,
} from './parse.ts';
export { fixSpfRecord, mergeSpfRecords, type SpfFix, type SpfFixResult } from './suggest.ts';
export * from './types.ts';
