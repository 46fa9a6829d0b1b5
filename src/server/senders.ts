/**
 * A domain's senders a page at a time: the sort keys and class filter the API takes (fixed
 * lists, checked by zod; sorting happens on the analysed senders, no SQL is written from them),
 * and the answer's schema for the OpenAPI document.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { SENDER_MARKS } from '../analysis/inventory.ts';
import type { Sender, SenderClass } from '../analysis/sources.ts';
import { pageQuery } from './route.ts';

export const SENDER_CLASSES = [
  'authorised',
  'known-unconfigured',
  'forwarder',
  'suspicious',
] as const satisfies readonly SenderClass[];

/** What a page may be sorted by, and how each key reads a sender. */
const SORT_VALUE = {
  messages: (s: Sender) => s.messages,
  dmarcFail: (s: Sender) => s.dmarcFail,
  dmarcPass: (s: Sender) => s.dmarcPass,
  passRate: (s: Sender) => (s.messages === 0 ? 0 : s.dmarcPass / s.messages),
  name: (s: Sender) => s.name.toLowerCase(),
  class: (s: Sender) => SENDER_CLASSES.indexOf(s.class),
  ip: (s: Sender) => ipKey(s.ip),
} as const satisfies Record<string, (s: Sender) => number | string>;

export type SenderSort = keyof typeof SORT_VALUE;
export const SENDER_SORT_KEYS = Object.keys(SORT_VALUE) as [SenderSort, ...SenderSort[]];

/** A domain's senders run to tens of thousands; this many at most in one page. */
export const SENDERS_PAGE_MAX = 500;

/** The query of a page of senders, beside the period. */
export const senderPageQuery = {
  sort: z.enum(SENDER_SORT_KEYS).default('messages'),
  order: z.enum(['asc', 'desc']).default('desc'),
  class: z.enum(SENDER_CLASSES).optional(),
  limit: z.coerce.number().int().min(1).max(SENDERS_PAGE_MAX).default(50),
  offset: pageQuery.offset,
};

/** IPv4 before IPv6, each in address order (text order would put 10.0.0.10 before 10.0.0.9). */
function ipKey(ip: string): string {
  try {
    const bytes = ipaddr.parse(ip).toByteArray();
    return `${bytes.length === 4 ? '4' : '6'}${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  } catch {
    return `9${ip}`;
  }
}

/** The senders of one class (or all), sorted; ties by most messages, then address. */
export function sortedSenders(
  senders: readonly Sender[],
  sort: SenderSort,
  order: 'asc' | 'desc',
  only: SenderClass | undefined,
): Sender[] {
  const read = SORT_VALUE[sort];
  const keyed = senders
    .filter((s) => only === undefined || s.class === only)
    .map((s) => ({ s, key: read(s), ip: ipKey(s.ip) }));
  const sign = order === 'asc' ? 1 : -1;
  keyed.sort((a, b) => {
    const by = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    if (by !== 0) return by * sign;
    if (a.s.messages !== b.s.messages) return b.s.messages - a.s.messages;
    return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0;
  });
  return keyed.map((k) => k.s);
}

export function classCounts(senders: readonly Sender[]): Record<SenderClass, number> {
  const counts = Object.fromEntries(SENDER_CLASSES.map((c) => [c, 0])) as Record<SenderClass, number>;
  for (const s of senders) counts[s.class]++;
  return counts;
}

const reasonSchema = z.object({
  code: z.string(),
  args: z.record(z.string(), z.string()),
  messages: z.number(),
  text: z.string(),
  fix: z.string().nullable(),
});

export const senderSchema = z.object({
  ip: z.string(),
  name: z.string(),
  ptr: z.string().nullable(),
  ptrConfirmed: z.boolean(),
  ptrOrgDomain: z.string().nullable(),
  asn: z.number().nullable(),
  asOrg: z.string().nullable(),
  country: z.string().nullable(),
  knownSender: z
    .object({
      id: z.string(),
      name: z.string(),
      category: z.string(),
      matchedBy: z.string(),
      matched: z.string(),
    })
    .nullable(),
  messages: z.number(),
  dmarcPass: z.number(),
  dmarcFail: z.number(),
  spfAligned: z.number(),
  dkimAligned: z.number(),
  class: z.enum(SENDER_CLASSES),
  classBasis: z.enum(['mark', 'forwarded', 'passing', 'catalogue', 'unknown']),
  mark: z
    .object({ ip: z.string(), mark: z.enum(SENDER_MARKS), note: z.string().nullable(), markedAt: z.number() })
    .nullable(),
  reason: reasonSchema,
  reasons: z.array(reasonSchema),
  headerFroms: z.array(z.object({ domain: z.string(), messages: z.number() })),
});

export const sendersPageSchema = z.object({
  domain: z.string(),
  since: z.string(),
  until: z.string(),
  /** Messages of every sender of the period (not only the page's). */
  messages: z.number(),
  dmarcPass: z.number(),
  dmarcFail: z.number(),
  /** Senders of each class over the period. */
  classes: z.record(z.enum(SENDER_CLASSES), z.number()),
  /** Senders matching the class filter. */
  total: z.number(),
  offset: z.number(),
  limit: z.number(),
  sort: z.enum(SENDER_SORT_KEYS),
  order: z.enum(['asc', 'desc']),
  senders: z.array(senderSchema),
});
