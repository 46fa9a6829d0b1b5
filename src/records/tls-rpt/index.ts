export { buildTlsRpt, type TlsRptBuild, type TlsRptBuildOptions } from './build.ts';
export {
  looksLikeTlsRptRecord,
  MAX_TLS_RPT_RECORD_LENGTH,
  parseTlsRptRecord,
  ruaProblem,
  type TlsRptRecord,
  type TlsRptRecordResult,
} from './record.ts';
