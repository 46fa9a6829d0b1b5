/** A mailbox source's row as the settings page says it: its watcher's state, and what keeps it from being watched. */

import { textOf } from '../values.ts';
import type { WebKey, Words } from '../words.ts';

/** The failures the server names by code, and their words. */
const SOURCE_PROBLEMS = {
  'no-password': 'imap-state.no-password',
  'env-not-allowed': 'imap-state.env-not-allowed',
  'token-failed': 'imap-state.token-failed',
  store: 'imap-state.store',
  'bad-source': 'imap-state.bad-source',
  'bad-archive': 'imap-state.bad-archive',
  unexpected: 'imap-state.unexpected',
  unreachable: 'imap-state.unreachable',
  tls: 'imap-state.tls',
  'login-refused': 'imap-state.login-refused',
  'no-folder': 'imap-state.no-folder',
  'folder-refused': 'imap-state.folder-refused',
  'archive-refused': 'imap-state.archive-refused',
  'not-processed': 'imap-state.not-processed',
  'connection-lost': 'imap-state.connection-lost',
  'token-refused': 'imap-state.token-refused',
  forbidden: 'imap-state.forbidden',
  'not-found': 'imap-state.not-found',
  failed: 'imap-state.graph-failed',
} as const satisfies Record<string, WebKey>;

/** A gmail:// source's failures that Graph's words would misname. */
const GMAIL_PROBLEMS = {
  'token-refused': 'imap-state.gmail-token-refused',
  forbidden: 'imap-state.gmail-forbidden',
  'not-found': 'imap-state.gmail-not-found',
  failed: 'imap-state.gmail-failed',
} as const satisfies Record<string, WebKey>;

/** A mailbox source's state as `sumi serve` watches it: the state, why it retries or failed, what it stored. */
export function sourceStatus(value: unknown, env: string, service: unknown, w: Words): string {
  if (!value || typeof value !== 'object') return w.t('imap-state.not-fetched');
  const status = value as {
    state?: string;
    error?: string | null;
    problem?: string | null;
    /** The server's words, or Sumi's own in both languages. */
    reason?: string | { en: string; ja: string } | null;
    reports?: number;
  };
  const parts = [w.tMaybe('imap-state.', String(status.state))];
  // The API says which service a source reads (imap, graph, gmail): its URL is not parsed here too.
  const gmail =
    service === 'gmail' ? GMAIL_PROBLEMS[status.problem as keyof typeof GMAIL_PROBLEMS] : undefined;
  const problem = status.problem
    ? (gmail ?? SOURCE_PROBLEMS[status.problem as keyof typeof SOURCE_PROBLEMS])
    : undefined;
  if (problem) parts.push(w.t(problem, { env, reason: textOf(status.reason, w.lang) }));
  else if (status.error) parts.push(status.error);
  if (typeof status.reports === 'number' && status.reports > 0)
    parts.push(w.t('imap-state.reports', { count: w.num(status.reports) }));
  return parts.join(' · ');
}

/**
 * What keeps the source as stored from being watched (a field kept from before the rule that
 * refuses it) as an edit's refusal would say it, the field first; empty for none.
 */
export function sourceFault(value: unknown, w: Words): string {
  if (!value || typeof value !== 'object') return '';
  const fault = value as { field?: unknown; reason?: unknown };
  return `${String(fault.field)}: ${textOf(fault.reason, w.lang)}`;
}
