/**
 * The tables as Kysely sees them. Names are snake_case in the reports' own words. Times are
 * whole seconds since the epoch (UTC). Lists and trees (errors, extensions, warnings, header
 * fields) are JSON text, never a JSON column type: both engines read them the same way and
 * JSON text cannot hold a raw NUL (PostgreSQL text cannot).
 *
 * Booleans are 0/1 integers in both engines (SQLite has no boolean type).
 */
import type { ColumnType, Generated } from 'kysely';

/**
 * How raw bytes are stored: brotli-compressed, in the gzip they came in, or as they came when
 * compression gains nothing.
 */
export type RawEncoding = 'br' | 'gzip' | 'identity';

/** The columns every table holding an input's raw bytes has, in this order, last in the row. */
interface RawColumns {
  raw_sha256: string;
  raw_size: number;
  raw_encoding: RawEncoding;
  raw: Buffer;
}

export interface ReportersTable {
  id: Generated<number>;
  org_name: string;
  email: string | null;
  extra_contact_info: string | null;
}

export interface ReportsTable extends RawColumns {
  id: Generated<number>;
  reporter_id: number;
  /** Report ID without surrounding `<>`: the one duplicates are detected on. */
  report_id: string;
  report_id_raw: string;
  /**
   * `<policy_published><domain>` as lookups compare it (lookupDomain: lower case, no trailing
   * dot): the one duplicates are detected on and the rollup and analysis read (0023).
   */
  policy_domain: string;
  /** `<policy_published><domain>` as the report wrote it, when that is not policy_domain (0023). */
  policy_domain_raw: string | null;
  date_begin: number;
  date_end: number;
  version: string | null;
  namespace: string | null;
  generator: string | null;
  /** JSON array of the report's `<error>` texts. */
  errors: string;
  adkim: string | null;
  aspf: string | null;
  p: string | null;
  sp: string | null;
  np: string | null;
  pct: number | null;
  fo: string | null;
  testing: number | null;
  discovery_method: string | null;
  psd: string | null;
  /** JSON array of ExtensionNode, null when none. */
  extensions: string | null;
  /** JSON array of ReportWarning, null when none. */
  warnings: string | null;
  record_count: number;
  message_count: number;
  source: string;
  received_at: number | null;
  ingested_at: number;
  /**
   * JSON [email, extra_contact_info] as this report gave them (its org's reporters row holds the
   * first report's); null for reports stored before migration 0010, which show their org's.
   */
  reporter_contact: string | null;
}

export interface RecordsTable {
  report_id: number;
  /** Position of the record in its report, from 0. */
  record_index: number;
  source_ip: string | null;
  count: number;
  disposition: string | null;
  dkim: string | null;
  spf: string | null;
  header_from: string | null;
  envelope_from: string | null;
  envelope_to: string | null;
  extensions: string | null;
  /**
   * The record's override reasons, DKIM and SPF results (migration 0008), each a JSON list of
   * lists in the order the report gave them, null when it gave none: `[type, comment]`,
   * `[domain, selector, result, human_result]`, `[domain, scope, result, human_result]`. The
   * strings inside are in the engine's text form (encodeText); the JSON around them is not.
   */
  reasons: string | null;
  dkim_results: string | null;
  spf_results: string | null;
}

export interface FailureReportsTable extends RawColumns {
  id: Generated<number>;
  format: string;
  feedback_type: string | null;
  user_agent: string | null;
  version: string | null;
  auth_failure: string | null;
  identity_alignment: string | null;
  delivery_result: string | null;
  arrival_date: string | null;
  arrival_time: number | null;
  source_ip: string | null;
  source_port: number | null;
  reporting_mta: string | null;
  original_envelope_id: string | null;
  original_mail_from: string | null;
  /** JSON array. */
  original_rcpt_to: string;
  /** The first Reported-Domain; lookups by domain read failure_report_domains, which has all of them. */
  reported_domain: string | null;
  reported_domains: string;
  reported_uris: string;
  authentication_results: string;
  incidents: number | null;
  dkim_domain: string | null;
  dkim_identity: string | null;
  dkim_selector: string | null;
  spf_dns: string | null;
  /** JSON array of every feedback-report field, in order. */
  fields: string;
  /** `message`, `headers`, `inline`, or null when the report carries no original. */
  original_form: string | null;
  /** JSON array of the original message's header fields, null when none came. */
  original_headers: string | null;
  original_from: string | null;
  original_to: string | null;
  original_subject: string | null;
  original_date: string | null;
  original_message_id: string | null;
  redacted: number | null;
  original_body: string | null;
  original_urls: string | null;
  description: string | null;
  missing: string;
  warnings: string | null;
  mail_from: string | null;
  mail_subject: string | null;
  mail_date: string | null;
  mail_message_id: string | null;
  source: string;
  received_at: number | null;
  ingested_at: number;
}

export interface TlsReportsTable extends RawColumns {
  id: Generated<number>;
  organization_name: string;
  contact_info: string | null;
  report_id: string;
  date_begin: number;
  date_end: number;
  warnings: string | null;
  source: string;
  received_at: number | null;
  ingested_at: number;
}

export interface TlsPoliciesTable {
  tls_report_id: number;
  policy_index: number;
  policy_type: string;
  /** JSON arrays. */
  policy_string: string;
  policy_domain: string | null;
  mx_host: string;
  total_successful_session_count: number;
  total_failure_session_count: number;
}

export interface TlsFailureDetailsTable {
  tls_report_id: number;
  policy_index: number;
  detail_index: number;
  result_type: string;
  sending_mta_ip: string | null;
  receiving_mx_hostname: string | null;
  receiving_mx_helo: string | null;
  receiving_ip: string | null;
  failed_session_count: number;
  additional_information: string | null;
  failure_reason_code: string | null;
}

/**
 * Another copy of a stored report: the same reporter, report ID and policy domain with other raw
 * bytes (0011), or in tls_report_copies the same organisation and report ID of a TLS report
 * (0012). Kept, never counted: the report's records and the rollup are the stored copy's.
 */
export interface ReportCopiesTable extends RawColumns {
  id: Generated<number>;
  /** The stored report this is another copy of (reports.id; tls_reports.id for TLS reports). */
  report_id: number;
  source: string;
  received_at: number | null;
  ingested_at: number;
}

export interface QuarantineTable extends RawColumns {
  id: Generated<number>;
  source: string;
  error_code: string;
  error_message: string;
  /** JSON of QuarantineDetails; null for entries kept before migration 0016. */
  error_details: string | null;
  first_seen_at: number;
  last_seen_at: number;
  /** How many times these same bytes were quarantined. */
  times: number;
}

/** Every Reported-Domain of a failure report as lookupDomain writes it (0022); rows go with their report. */
export interface FailureReportDomainsTable {
  failure_report_id: number;
  domain: string;
}

/** Every place a quarantine row's bytes came from (0019); rows go with their entry. */
export interface QuarantineSourcesTable {
  quarantine_id: number;
  source: string;
  /** When these bytes last came from there. */
  seen_at: number;
}

// ---------------------------------------------------------------- IP facts and policy history (0005)

/** Reverse DNS of a sending IP, cached until `expires_at` (the answer's TTL, clamped). */
export interface IpFactsTable {
  /** Canonical text form (canonicalIp). */
  ip: string;
  /** `ok`: a PTR name; `none`: definitely none; `temporary`: could not ask, retried soon. */
  status: 'ok' | 'none' | 'temporary';
  /** The DNS outcome behind the status (nxdomain, timeout, ...). */
  dns_status: string;
  ptr: string | null;
  ptr_confirmed: number;
  ptr_org_domain: string | null;
  error: string | null;
  looked_up_at: number;
  expires_at: number;
}

/** A DMARC record found by `sumi check --store`, with its parsed policy. */
export interface DmarcChecksTable {
  id: Generated<number>;
  domain: string;
  checked_at: number;
  /** The check's DMARC status: ok, missing, invalid, dns-error. */
  status: string;
  policy_domain: string | null;
  record: string | null;
  p: string | null;
  sp: string | null;
  np: string | null;
  pct: number | null;
  testing: number | null;
  adkim: string | null;
  aspf: string | null;
  /** JSON arrays of the usable report URIs, null when no record. */
  rua: string | null;
  ruf: string | null;
}

// ---------------------------------------------------------------- analysis (0002-analysis)

/**
 * Messages per day and sender with what its fail reason is computed from, maintained at ingest
 * (rollup.ts). Key columns are never NULL: '' stands for "the report did not say".
 */
export interface SourceRollupTable {
  policy_domain: string;
  /** rollupDay of the report. */
  day: number;
  source_ip: string;
  /** At most 255 characters (a DNS name is shorter). */
  header_from: string;
  /** The receiver's disposition: `none`, `quarantine`, `reject` or ''. */
  disposition: string;
  /** Policy-evaluated (aligned) DKIM and SPF results: `pass`, `fail` or ''. */
  dkim: string;
  spf: string;
  /** The report's published adkim / aspf. */
  adkim: string;
  aspf: string;
  /** The record's DKIM results in order, `domain:result` separated by spaces (capped). */
  dkim_auth: string;
  /** The record's SPF results in order, `domain:scope:result` separated by spaces (capped). */
  spf_auth: string;
  /** The record's policy override reason types, separated by spaces. */
  reasons: string;
  messages: number;
}

/**
 * Sums of a bulk ingest waiting to be added to source_rollup (0007): its key and messages, one
 * row per distinct key of a batch. Folded (added up, then deleted) at the end of the ingest, or
 * when the store is next opened should the ingest have stopped first.
 */
export interface RollupPendingTable extends SourceRollupTable {
  id: Generated<number>;
}

/** The owner's inventory of their domains (`sumi domains add`). */
export interface DomainsTable {
  domain: string;
  note: string | null;
  added_at: number;
}

/** The owner's verdict on a sending IP of a domain (`sumi senders mark`). */
export interface SenderMarksTable {
  domain: string;
  ip: string;
  mark: 'authorised' | 'forwarder' | 'suspicious';
  note: string | null;
  marked_at: number;
}

// ---------------------------------------------------------------- accounts (0003)

export type Role = 'admin' | 'analyst' | 'viewer';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** scrypt hash (see auth/password.ts); null until set through the setup link. */
  password_hash: string | null;
  role: Role;
  /** 1: every domain (admins always see every domain). */
  all_domains: number;
  created_at: number;
}

export interface UserAccessTable {
  user_id: number;
  /** `domain`: the domain and its subdomains; `group`: every domain in the group (domain_groups). */
  kind: 'domain' | 'group';
  name: string;
}

/** Domains grouped for access: a user granted a group sees each of its domains. */
export interface DomainGroupsTable {
  group_name: string;
  domain: string;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the cookie's session id. */
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SetupTokensTable {
  token_hash: string;
  user_id: number;
  expires_at: number;
}

export interface LoginFailuresTable {
  /** `user:NAME` or `ip:ADDRESS`. */
  key: string;
  failures: number;
  first_failed_at: number;
  locked_until: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  user_id: number | null;
  username: string | null;
  action: string;
  target: string | null;
  /** JSON object, or null. */
  detail: string | null;
  ip: string | null;
}

/** The retention policy and its runs: one row, id 1 (0018-retention). */
export interface RetentionTable {
  id: number;
  /** Days each kind is kept; null: for ever. */
  reports_days: number | null;
  failure_reports_days: number | null;
  quarantine_days: number | null;
  updated_at: number | null;
  last_run_at: number | null;
  /** JSON of the last run's PruneTotals, null when it failed. */
  last_run: string | null;
  last_error: string | null;
  /** Prunes that deleted something (the policy's or `sumi prune`'s), for caches to notice. */
  prunes: ColumnType<number, number | undefined, number>;
}

/** Per table a reader addresses by id, the largest id deleted from it or more (0027-id-floors, ids.ts). */
export interface IdFloorsTable {
  name: string;
  last_id: number;
}

export interface ImapSourcesTable {
  id: Generated<number>;
  url: string;
  password_env: string;
  archive: string;
  created_at: number;
  /** 1: mail with nothing like a report in it is left in the folder (0015-imap-leave-other-mail). */
  leave_other_mail: ColumnType<number, number | undefined, number>;
  /**
   * JSON of the application it signs in as (client credentials), or null: the password in
   * password_env (0017-mailbox-source-app).
   */
  app: ColumnType<string | null, string | null | undefined, string | null>;
  /** Epoch second an admin paused it at (not watched), or null: watched (0026-mailbox-source-paused). */
  paused_at: ColumnType<number | null, number | null | undefined, number | null>;
}

// ---------------------------------------------------------------- survey scans (0004-scans)

/** A named survey scan (`sumi survey --db --name`): its list, method and state. */
export interface SurveyScansTable {
  id: Generated<number>;
  name: string;
  /** The list as given (a file path; `-` for stdin). */
  list: string;
  /** JSON of the scan's method options (StoredScanOptions in survey/store.ts). */
  options: string;
  /** JSON array of the flag names, in the bit order of `flags` in survey_results. */
  flag_names: string;
  status: 'running' | 'finished';
  /** Input lines read and lines that were not domains (set when the list has been read through). */
  lines: number | null;
  invalid: number | null;
  /** Shards submitted to the queue (distributed scans only). */
  shards: number | null;
  started_at: number;
  finished_at: number | null;
}

/** One domain of a scan; written again (replaced) when a resumed scan or a retried shard measures it. */
export interface SurveyResultsTable {
  scan_id: number;
  domain: string;
  category: string;
  organisation: string | null;
  measured: number;
  /** The domain's facts as a bit mask over the scan's flag_names (0 when not measured). */
  flags: number;
  passes: number;
  /** Where the applying DMARC policy was found, when one applies. */
  policy_domain: string | null;
  /** Every question and how it ended: one `TYPE name status` per line. */
  answers: string;
  measured_at: number;
}

/** A shard of a distributed scan, written by the worker that finished it. */
export interface SurveyShardsTable {
  scan_id: number;
  shard: number;
  domains: number;
  worker: string;
  finished_at: number;
}

export interface Database {
  reporters: ReportersTable;
  reports: ReportsTable;
  records: RecordsTable;
  failure_reports: FailureReportsTable;
  failure_report_domains: FailureReportDomainsTable;
  tls_reports: TlsReportsTable;
  tls_policies: TlsPoliciesTable;
  tls_failure_details: TlsFailureDetailsTable;
  quarantine: QuarantineTable;
  quarantine_sources: QuarantineSourcesTable;
  report_copies: ReportCopiesTable;
  tls_report_copies: ReportCopiesTable;
  ip_facts: IpFactsTable;
  dmarc_checks: DmarcChecksTable;
  source_rollup: SourceRollupTable;
  rollup_pending: RollupPendingTable;
  domains: DomainsTable;
  sender_marks: SenderMarksTable;
  users: UsersTable;
  user_access: UserAccessTable;
  domain_groups: DomainGroupsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  setup_tokens: SetupTokensTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  imap_sources: ImapSourcesTable;
  retention: RetentionTable;
  id_floors: IdFloorsTable;
  survey_scans: SurveyScansTable;
  survey_results: SurveyResultsTable;
  survey_shards: SurveyShardsTable;
}
