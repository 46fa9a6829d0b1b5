/**
 * What the owner tells Sumi: the domains they own (the inventory subdomains are compared with)
 * and their verdict on senders (marks that override the classification).
 */
import { canonicalIp } from '../reports/ip.ts';
import type { Store } from '../store/types.ts';
import { normaliseName } from './senders/match.ts';

export const SENDER_MARKS = ['authorised', 'forwarder', 'suspicious'] as const;
export type SenderMarkKind = (typeof SENDER_MARKS)[number];

export interface SenderMark {
  ip: string;
  mark: SenderMarkKind;
  note: string | null;
  /** Epoch seconds. */
  markedAt: number;
}

export interface InventoryDomain {
  domain: string;
  note: string | null;
  /** Epoch seconds. */
  addedAt: number;
}

/** The longest note kept with a mark or a domain. */
export const MAX_NOTE_LENGTH = 500;

/** A domain, IP, mark or note the owner gave that cannot be kept; `input` is what was given. */
export class InventoryInputError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = 'InventoryInputError';
    this.input = input;
  }
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** The domain in the form the store keeps (lower case, no trailing dot), or an error naming it. */
export function domainName(text: string): string {
  const name = normaliseName(text);
  if (name.length === 0 || name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
    throw new InventoryInputError(text, `"${text}" is not a domain name`);
  }
  return name;
}

function ipAddress(text: string): string {
  const ip = canonicalIp(text);
  if (ip === null) throw new InventoryInputError(text, `"${text}" is not an IP address`);
  return ip;
}

function noteText(note: string | undefined): string | null {
  if (note === undefined || note.trim() === '') return null;
  if (note.length > MAX_NOTE_LENGTH) {
    throw new InventoryInputError(
      note.slice(0, 40),
      `the note is ${note.length} characters; at most ${MAX_NOTE_LENGTH}`,
    );
  }
  return note;
}

const now = () => Math.floor(Date.now() / 1000);

/** Marks a sending IP of a domain; marking it again replaces the mark. */
export async function markSender(
  store: Store,
  domain: string,
  ip: string,
  mark: SenderMarkKind,
  note?: string,
): Promise<SenderMark & { domain: string }> {
  if (!SENDER_MARKS.includes(mark)) {
    throw new InventoryInputError(mark, `"${mark}": mark as ${SENDER_MARKS.join(', ')}`);
  }
  const row = {
    domain: domainName(domain),
    ip: ipAddress(ip),
    mark,
    note: noteText(note),
    marked_at: now(),
  };
  await store.db
    .insertInto('sender_marks')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['domain', 'ip']).doUpdateSet({ mark: row.mark, note: row.note, marked_at: row.marked_at }),
    )
    .execute();
  return { domain: row.domain, ip: row.ip, mark, note: row.note, markedAt: row.marked_at };
}

/** Removes a mark; false when there was none. */
export async function unmarkSender(store: Store, domain: string, ip: string): Promise<boolean> {
  const result = await store.db
    .deleteFrom('sender_marks')
    .where('domain', '=', domainName(domain))
    .where('ip', '=', ipAddress(ip))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listMarks(store: Store, domain: string): Promise<SenderMark[]> {
  const rows = await store.db
    .selectFrom('sender_marks')
    .selectAll()
    .where('domain', '=', domainName(domain))
    .orderBy('ip')
    .execute();
  return rows.map((r) => ({ ip: r.ip, mark: r.mark, note: r.note, markedAt: Number(r.marked_at) }));
}

/** Adds a domain to the inventory; false when it was there already (its note is then updated). */
export async function addDomain(store: Store, domain: string, note?: string): Promise<boolean> {
  const name = domainName(domain);
  const kept = noteText(note);
  const inserted = await store.db
    .insertInto('domains')
    .values({ domain: name, note: kept, added_at: now() })
    .onConflict((oc) => oc.column('domain').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  if (kept !== null)
    await store.db.updateTable('domains').set({ note: kept }).where('domain', '=', name).execute();
  return false;
}

/** Removes a domain from the inventory; false when it was not there. */
export async function removeDomain(store: Store, domain: string): Promise<boolean> {
  const result = await store.db
    .deleteFrom('domains')
    .where('domain', '=', domainName(domain))
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listDomains(store: Store): Promise<InventoryDomain[]> {
  const rows = await store.db.selectFrom('domains').selectAll().orderBy('domain').execute();
  return rows.map((r) => ({ domain: r.domain, note: r.note, addedAt: Number(r.added_at) }));
}
