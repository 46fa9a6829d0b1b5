import { type Finding, finding } from '../finding.ts';
import { parseFields } from './fields.ts';

/** The MTA-STS TXT record at `_mta-sts.<domain>` (RFC 8461 s3.1). */
export interface MtaStsRecord {
  version: 'STSv1';
  /** `id=`: changes whenever the policy changes, so senders refetch it. */
  id?: string;
  /** Fields RFC 8461 does not define (allowed; senders ignore them). */
  extensions: Record<string, string>;
}

export interface MtaStsRecordResult {
  /** Undefined when the record does not even start with `v=STSv1`. */
  record?: MtaStsRecord;
  findings: Finding[];
  /** Senders would use this record. */
  valid: boolean;
}

/** Longest record parsed; a valid one is under 60 characters. */
export const MAX_MTA_STS_RECORD_LENGTH = 1024;

const ID = /^[A-Za-z0-9]{1,32}$/;

export function parseMtaStsRecord(text: string, at: { name?: string } = {}): MtaStsRecordResult {
  const base = at.name ? { name: at.name } : {};
  const findings: Finding[] = [];
  const parsed = parseFields(text, 'STSv1', { maxLength: MAX_MTA_STS_RECORD_LENGTH });
  let valid = parsed.errors.length === 0 && parsed.duplicates.length === 0;
  for (const e of parsed.errors) {
    findings.push(
      finding('mta-sts-syntax-error', { ...base, problem: e.problem, position: e.position, near: e.near }),
    );
  }
  for (const tag of parsed.duplicates) findings.push(finding('mta-sts-duplicate-tag', { ...base, tag }));
  if (!parsed.versionOk) return { findings, valid: false };

  const record: MtaStsRecord = { version: 'STSv1', extensions: {} };
  for (const f of parsed.fields) {
    if (f.name === 'id') record.id = f.value;
    else record.extensions[f.name] = f.value;
  }
  // A broken field may be the id itself; the syntax error already says the record is unusable.
  if (record.id === undefined && parsed.errors.length === 0) {
    findings.push(finding('mta-sts-id-missing', base));
    valid = false;
  } else if (record.id !== undefined && !ID.test(record.id)) {
    findings.push(finding('mta-sts-id-invalid', { ...base, id: record.id }));
    valid = false;
  }
  const unknown = Object.keys(record.extensions);
  if (unknown.length > 0)
    findings.push(finding('mta-sts-unknown-tag', { ...base, tags: unknown.join(', ') }));
  return { record, findings, valid };
}

/** True for the records senders consider (and near misses worth reporting as broken ones). */
export function looksLikeMtaStsRecord(text: string): boolean {
  return /^[ \t]*v[ \t]*=[ \t]*STSv1/i.test(text);
}
