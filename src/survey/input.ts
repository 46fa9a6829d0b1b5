import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { domainToASCII } from 'node:url';
import { parse } from 'csv-parse';

/** One line of a domain list. */
export interface SurveyItem {
  domain: string;
  /** From the list's category column, when it has one. */
  category?: string;
  /** From the list's organisation column, when it has one. */
  organisation?: string;
}

/** The list could not be read (missing file, broken CSV): bad input, not a runtime failure. */
export class DomainListError extends Error {}

export type InputLine = { line: number; item: SurveyItem } | { line: number; invalid: string };

/** Longest field read from a list line; anything longer is not a domain. */
export const MAX_INPUT_FIELD = 1024;

const HEADER_DOMAIN = new Set(['domain', 'domain_name', 'domainname', 'name', 'ドメイン', 'ドメイン名']);
const HEADER_CATEGORY = new Set(['category', 'type', 'sector', 'カテゴリ', '種別', '分類']);
const HEADER_ORGANISATION = new Set([
  'organisation',
  'organization',
  'org',
  'company',
  'entity',
  '組織',
  '組織名',
  '団体',
  '企業',
]);

/** A domain as the DNS asks it (lower-case A-labels, no trailing dot), or undefined when it is not one. */
export function normaliseListDomain(raw: string): string | undefined {
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253) return undefined;
  const ascii = /^[\x21-\x7e]+$/.test(trimmed) ? trimmed.toLowerCase() : domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2) return undefined;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || !/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label))
      return undefined;
  }
  return ascii;
}

interface Columns {
  domain: number;
  category?: number;
  organisation?: number;
}

/**
 * Streams a domain list: plain text (one domain per line) or CSV whose columns are
 * `domain[,category[,organisation]]`, or named by a header row (`domain`, `category`,
 * `organisation`/`organization`). Blank lines and lines starting with `#` are skipped; a
 * UTF-8 BOM is ignored. Reads as it goes: memory does not grow with the list.
 */
export async function* readDomainList(source: Readable | string): AsyncGenerator<InputLine> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const parser = input.pipe(
    parse({
      bom: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      max_record_size: MAX_INPUT_FIELD * 4,
      info: true,
    }),
  );
  // pipe() does not pass on the source's errors (a missing file): without this the loop would wait forever.
  input.once('error', (error: Error) => parser.destroy(error));
  let columns: Columns | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!columns) {
        const header = headerColumns(record);
        columns = header ?? { domain: 0, category: 1, organisation: 2 };
        if (header) continue;
      }
      const raw = record[columns.domain] ?? '';
      const domain = raw.length <= MAX_INPUT_FIELD ? normaliseListDomain(raw) : undefined;
      if (!domain) {
        yield { line, invalid: raw.slice(0, 80) };
        continue;
      }
      const item: SurveyItem = { domain };
      const category = columns.category === undefined ? undefined : record[columns.category];
      const organisation = columns.organisation === undefined ? undefined : record[columns.organisation];
      if (category) item.category = category.slice(0, MAX_INPUT_FIELD);
      if (organisation) item.organisation = organisation.slice(0, MAX_INPUT_FIELD);
      yield { line, item };
    }
  } catch (error) {
    throw new DomainListError((error as Error).message, { cause: error });
  } finally {
    if (typeof source === 'string') input.destroy();
  }
}

function headerColumns(record: string[]): Columns | undefined {
  const names = record.map((f) => f.toLowerCase());
  const domain = names.findIndex((n) => HEADER_DOMAIN.has(n));
  if (domain === -1) return undefined;
  const columns: Columns = { domain };
  const category = names.findIndex((n) => HEADER_CATEGORY.has(n));
  const organisation = names.findIndex((n) => HEADER_ORGANISATION.has(n));
  if (category !== -1) columns.category = category;
  if (organisation !== -1) columns.organisation = organisation;
  return columns;
}
