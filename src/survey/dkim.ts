import type { DnsResult } from '../dns/types.ts';
import { looksLikeDkimKey, parseDkimKeyRecord } from '../records/dkim/index.ts';

/**
 * Selectors asked with `--dkim-selectors common`. DKIM selectors cannot be listed from DNS,
 * so a survey can only guess; each guess is one more TXT query for every domain of the list,
 * so this is a short pick of `sumi check`'s longer list (COMMON_DKIM_SELECTORS): the fixed selectors of the services
 * and software that sign the most domains.
 */
export const SURVEY_DKIM_SELECTORS: readonly string[] = [
  // Google Workspace: the one selector it publishes by default
  'google',
  // Microsoft 365: both rotation selectors (CNAMEs into the tenant's onmicrosoft.com)
  'selector1',
  'selector2',
  // Mailchimp / Mandrill
  'k1',
  'k2',
  // SendGrid and many other senders
  's1',
  's2',
  // cPanel, Plesk, rspamd and most hosting control panels
  'default',
  // OpenDKIM and self-hosted setups following its examples
  'dkim',
  'mail',
  // Zoho Mail
  'zoho',
  // Everlytic (large in South Africa) and MXroute (a common small-business host)
  'everlytickey1',
  'mxvault',
];

/** A selector must be a DNS label sequence (RFC 6376 s3.1: sub-domain syntax). */
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Most selectors one survey asks: each is a query for every domain of the list. */
export const MAX_DKIM_SELECTORS = 50;

export class DkimSelectorError extends Error {
  constructor(readonly selector: string) {
    super(`not a DKIM selector: "${selector}"`);
  }
}

/**
 * The selectors of `--dkim-selectors`: `common` (SURVEY_DKIM_SELECTORS, and may be mixed
 * with names), or comma-separated names; lower-cased, each once, in the order given.
 */
export function parseDkimSelectors(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    const names = name === 'common' ? SURVEY_DKIM_SELECTORS : [name];
    for (const selector of names) {
      if (!SELECTOR.test(selector)) throw new DkimSelectorError(part.trim());
      if (!out.includes(selector)) out.push(selector);
    }
  }
  if (out.length === 0 || out.length > MAX_DKIM_SELECTORS) throw new DkimSelectorError(spec);
  return out;
}

/**
 * Whether a selector's answer holds a DKIM key a verifier can use: a key-looking TXT record
 * that parses as usable (a revoked key, `p=` empty, does not count; other TXT at the name,
 * such as a wildcard SPF record, is not a key).
 */
export function hasUsableKey(answer: DnsResult<'TXT'>): boolean {
  return answer.records.some(
    (r) => !r.invalidUtf8 && looksLikeDkimKey(r.text) && parseDkimKeyRecord(r.text).record.usable,
  );
}
