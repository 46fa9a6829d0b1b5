/**
 * What the analysis commands share: the store, period and DNS flags, reading them into the
 * analysis inputs (bad values are usage errors naming the flag), and plain-text tables.
 */
import type { Command } from 'commander';
import { InventoryInputError } from '../analysis/inventory.ts';
import { type MmdbFacts, StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { type Period, PeriodError, parsePeriod } from '../analysis/period.ts';
import { createResolver } from '../dns/index.ts';
import type { Resolver } from '../dns/types.ts';
import { analysisText } from '../i18n/analysis.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import type { Store } from '../store/types.ts';
import { type CliContext, oneLine, UsageError } from './output.ts';
import { withStore as withStoreOf } from './with-store.ts';

export interface AnalysisFlags {
  db?: string;
  json?: boolean;
  since?: string;
  until?: string;
  resolver?: string;
  mmdb?: string;
}

/** --db, --json, --lang (read by the program), and with `period` --since and --until. */
export function analysisOptions(
  command: Command,
  ctx: CliContext,
  extra: { period?: boolean; dns?: boolean } = {},
): Command {
  const t = translator(analysisText, ctx.lang);
  command.option('--db <file|url>', t('option.db')).option('--json', t('option.json'));
  if (extra.period)
    command.option('--since <30d|date>', t('option.since')).option('--until <date|Nd>', t('option.until'));
  if (extra.dns) {
    command
      .option('--resolver <servers>', t('option.resolver'))
      .option('--mmdb <file>', translator(planText, ctx.lang)('option.mmdb'));
  }
  return command;
}

export function periodFromFlags(flags: AnalysisFlags): Period {
  try {
    return parsePeriod({ since: flags.since, until: flags.until });
  } catch (error) {
    if (error instanceof PeriodError) throw new UsageError(`--since/--until ${error.message}`);
    throw error;
  }
}

/** Runs `work` on the store named by --db (see withStore's options); the owner's bad input is a usage error. */
export function withStore<T>(
  flags: AnalysisFlags,
  ctx: CliContext,
  work: (store: Store) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  return withStoreOf(flags, ctx, work, {
    ...options,
    usageError: (error) => (error instanceof InventoryInputError ? new UsageError(error.message) : undefined),
  });
}

/** The DNS a command may use: none unless --resolver was given. */
export function resolverFromFlags(flags: AnalysisFlags): { resolver: Resolver; close(): void } | undefined {
  if (flags.resolver === undefined) return undefined;
  try {
    return createResolver(flags.resolver);
  } catch (error) {
    throw new UsageError(`--resolver: ${(error as Error).message}`);
  }
}

/**
 * Reverse DNS of senders: from the store's cache, and looked up when a resolver is given; ASN
 * and country from the owner's IP database when one is given (--mmdb or $SUMI_MMDB).
 */
export function ipFactsFor(store: Store, resolver: Resolver | undefined, mmdb?: MmdbFacts): StoredIpFacts {
  return new StoredIpFacts(store, { ...(resolver ? { resolver } : {}), ...(mmdb ? { mmdb } : {}) });
}

/** One of `choices`, or a usage error naming the flag. */
export function choice<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
  ctx: CliContext,
): T | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const t = translator(analysisText, ctx.lang);
  throw new UsageError(t('error.choice', { flag, value, choices: choices.join(', ') }));
}

/** Terminal width of a string: East Asian wide characters take two columns. */
function width(text: string): number {
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    n +=
      code >= 0x1100 &&
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        ch,
      )
        ? 2
        : 1;
  }
  return n;
}

/**
 * A plain-text table; columns listed in `right` are right-aligned (numbers). A line break or tab
 * in a cell (report text) is written as a space: it would start a row of its own.
 */
export function table(
  head: readonly string[],
  cellRows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const rows = cellRows.map((cells) => cells.map(oneLine));
  // A loop, not Math.max(...rows): a domain's 200,000 senders as arguments overflow the stack.
  const widths = head.map(width);
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, width(cell));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell)));
        return right.includes(i) ? fill + cell : cell + fill;
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** `a` as a percentage of `b`, one decimal; a dash when `b` is 0. */
export function percent(a: number, b: number): string {
  return b === 0 ? '-' : `${((a * 100) / b).toFixed(1)}%`;
}
