/**
 * Report formats, pure: aggregate (RFC 7489 / RFC 9990), failure (ARF), SMTP TLS (RFC 8460),
 * and unpacking of the mails and archives they come in. Buffers and strings in, typed objects out.
 */
export {
  AGGREGATE_LIMITS,
  AGGREGATE_MAX_COUNT,
  AGGREGATE_MAX_RECORDS,
  type AggregateLimits,
  type AggregateParseOptions,
  parseAggregateReport,
  parseAggregateReportToObject,
  XML_MAX_DEPTH,
  XML_MAX_EXTENSION_NODES,
  XML_MAX_FIELD_LENGTH,
  XML_MAX_TOKEN_LENGTH,
} from './aggregate.ts';
export {
  UNPACK_MAX_PAYLOAD_BYTES,
  UNPACK_MAX_RATIO,
  UNPACK_MAX_TOTAL_BYTES,
  UNPACK_RATIO_FLOOR_BYTES,
} from './budget.ts';
export { describeReportError, ReportError, type ReportErrorArgs, type ReportErrorCode } from './errors.ts';
export { FAILURE_MAX_BODY_CHARS, FAILURE_MAX_URLS, parseFailureReport } from './failure.ts';
export { canonicalIp } from './ip.ts';
export { MAIL_MAX_HEADER_BYTES, MAIL_MAX_NESTING, MAIL_MAX_PARTS } from './mail.ts';
export { parseTlsReport, TLS_MAX_FAILURE_DETAILS, TLS_MAX_JSON_BYTES, TLS_MAX_POLICIES } from './tls.ts';
export type * from './types.ts';
export {
  UNPACK_LIMITS,
  UNPACK_MAX_DEPTH,
  UNPACK_MAX_INPUT_BYTES,
  UNPACK_MAX_PAYLOADS,
  UNPACK_STREAM_ABOVE_BYTES,
  type Unpacked,
  type UnpackFailure,
  type UnpackLimits,
  type UnpackOptions,
  unpack,
  unpackAll,
} from './unpack.ts';
export { describeReportWarning, type WarningCode } from './warnings.ts';
export { ZIP_MAX_ENTRIES } from './zip.ts';
