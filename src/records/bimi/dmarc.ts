/**
 * BIMI's DMARC precondition (draft s4 "Receiver Actions", Authentication Requirements 7-9):
 * the policy must be quarantine or reject for the domain and its subdomains, applied to all
 * mail (no pct below 100, no DMARCbis testing mode). Pure: the orchestrator adapts its DMARC
 * result into `BimiDmarcInput`.
 */

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

/** What BIMI needs to know about the DMARC policy that applies to the domain. */
export interface BimiDmarcInput {
  status: 'ok' | 'missing' | 'invalid' | 'dns-error';
  /** Policy; undefined when the record has no valid `p` (treated as none). */
  p?: DmarcPolicy;
  /** Subdomain policy when the record states one. */
  sp?: DmarcPolicy;
  /** RFC 7489 `pct` when the record states one. */
  pct?: number;
  /** DMARCbis `t=y`. */
  testing?: boolean;
  /** The DMARC record text, so the fix can show it corrected. */
  record?: string;
  /** Where the DMARC record was found (e.g. `_dmarc.example.com`). */
  name?: string;
}

/** One DMARC tag that stops BIMI, with the value it has and the value it needs. */
export interface DmarcBlocker {
  tag: 'p' | 'sp' | 'pct' | 't';
  value: string;
  required: string;
}

const ENFORCING: ReadonlySet<string> = new Set(['quarantine', 'reject']);

export function dmarcBlockers(dmarc: BimiDmarcInput): DmarcBlocker[] {
  if (dmarc.status !== 'ok') return [];
  const out: DmarcBlocker[] = [];
  if (!dmarc.p || !ENFORCING.has(dmarc.p)) {
    out.push({ tag: 'p', value: dmarc.p ?? '(none)', required: 'quarantine or reject' });
  }
  if (dmarc.sp !== undefined && !ENFORCING.has(dmarc.sp)) {
    out.push({ tag: 'sp', value: dmarc.sp, required: 'quarantine or reject' });
  }
  if (dmarc.pct !== undefined && dmarc.pct < 100) {
    out.push({ tag: 'pct', value: String(dmarc.pct), required: '100' });
  }
  if (dmarc.testing) out.push({ tag: 't', value: 'y', required: 'n' });
  return out;
}

/**
 * The DMARC record with the blocking tags corrected: p raised to quarantine (reject kept),
 * sp set to the policy, pct and t removed (their defaults, 100 and n, are what BIMI needs).
 * Other tags keep their order and text.
 */
export function enforcingDmarcRecord(dmarc: BimiDmarcInput): string {
  const policy = dmarc.p && ENFORCING.has(dmarc.p) ? dmarc.p : 'quarantine';
  const tags = (dmarc.record ?? 'v=DMARC1')
    .split(';')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const eq = t.indexOf('=');
      return eq === -1
        ? { name: t, value: '' }
        : { name: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim() };
    });
  const out: { name: string; value: string }[] = [];
  for (const tag of tags) {
    if (tag.name === 'pct' || tag.name === 't') continue;
    if (tag.name === 'p') out.push({ name: 'p', value: policy });
    else if (tag.name === 'sp' && !ENFORCING.has(tag.value)) out.push({ name: 'sp', value: policy });
    else out.push(tag);
  }
  if (!out.some((t) => t.name === 'p')) {
    const v = out.findIndex((t) => t.name === 'v');
    out.splice(v === -1 ? 0 : v + 1, 0, { name: 'p', value: policy });
  }
  if (!out.some((t) => t.name === 'v')) out.unshift({ name: 'v', value: 'DMARC1' });
  return out.map((t) => `${t.name}=${t.value}`).join('; ');
}
