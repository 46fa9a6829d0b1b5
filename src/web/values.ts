import type { Words } from './words.ts';

/** Words the server sends either as plain text or in both languages. */
export function textOf(value: unknown, lang: 'en' | 'ja'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o[lang] === 'string') return o[lang] as string;
    for (const key of ['message', 'text', 'title', 'name', 'code']) {
      if (typeof o[key] === 'string') return o[key] as string;
    }
  }
  return JSON.stringify(value);
}

/** Any field value as text for a table cell (numbers in the reader's format). */
export function display(value: unknown, w: Words): string {
  if (typeof value === 'number') return w.num(value);
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (Array.isArray(value)) return value.length === 0 ? '–' : value.map((v) => display(v, w)).join(', ');
  return textOf(value, w.lang) || '–';
}

export function asArray<T = Record<string, unknown>>(value: unknown, ...keys: string[]): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object') {
    for (const key of keys) {
      const inner = (value as Record<string, unknown>)[key];
      if (Array.isArray(inner)) return inner as T[];
    }
  }
  return [];
}

export function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The first of `keys` that `row` has, for rows whose field names vary between endpoints. */
export function pick(row: unknown, ...keys: string[]): unknown {
  if (!row || typeof row !== 'object') return undefined;
  for (const key of keys) {
    const value = (row as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** A pass rate from a row: `passRate` as given, else pass / messages. */
export function passRateOf(row: unknown): number | undefined {
  const given = numberOf(pick(row, 'passRate', 'pass_rate'));
  if (given !== undefined) return given;
  const messages = numberOf(pick(row, 'messages', 'total', 'count'));
  const pass = numberOf(pick(row, 'pass', 'passed', 'dmarcPass'));
  return messages && pass !== undefined ? pass / messages : undefined;
}

export type Health = 'good' | 'attention' | 'failing' | 'no-data';

/** How a domain or sender is doing, from its pass rate. */
export function healthOf(messages: number | undefined, passRate: number | undefined): Health {
  if (!messages || passRate === undefined) return 'no-data';
  if (passRate >= 0.98) return 'good';
  if (passRate >= 0.9) return 'attention';
  return 'failing';
}

/**
 * A domain's status, agreeing with the server's next step when it gives one: an enforced
 * domain whose failing mail is spoofing being refused is on track, not failing.
 */
export function domainHealth(
  messages: number | undefined,
  passRate: number | undefined,
  next?: unknown,
): Health {
  const code = typeof next === 'object' && next !== null ? (next as { code?: unknown }).code : next;
  if (code === 'watch' || code === 'quarantine' || code === 'reject') return 'good';
  if (code === 'no-data' || (code === 'publish-dmarc' && !messages)) return 'no-data';
  return healthOf(messages, passRate);
}

/**
 * Header text as people read it: RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?ISO-2022-JP?Q?...?=`)
 * decoded with the browser's TextDecoder; a word that does not decode stays as it was.
 */
export function decodeMimeWords(text: string): string {
  return text
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g,
      (whole, charset: string, encoding: string, data: string) => {
        try {
          const bytes =
            encoding.toUpperCase() === 'B'
              ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
              : Uint8Array.from(
                  data
                    .replace(/_/g, ' ')
                    .replace(/=([0-9A-Fa-f]{2})|[\s\S]/g, (m, hex: string | undefined) =>
                      hex ? String.fromCharCode(Number.parseInt(hex, 16)) : m,
                    ),
                  (c) => c.charCodeAt(0),
                );
          return new TextDecoder(charset.split('*')[0]!.toLowerCase(), { fatal: true }).decode(bytes);
        } catch {
          return whole;
        }
      },
    );
}

/** A time (seconds since the epoch or ISO 8601) as `YYYY-MM-DD HH:MM UTC`. */
export function timestamp(value: unknown): string {
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Field names that hold a time: `at`, `createdAt`, `arrivalTime`... */
export function isTimeField(key: string): boolean {
  return key === 'at' || /(At|Time)$/.test(key);
}
