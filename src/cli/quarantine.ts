import { type Command, CommanderError } from 'commander';
import { isoDay } from '../analysis/period.ts';
import { ingestText } from '../i18n/ingest.ts';
import { sourceWords } from '../i18n/reports.ts';
import { translator } from '../i18n/translate.ts';
import { quarantineReasonIn, totalsAnswer } from '../ingest/describe.ts';
import { retryQuarantined } from '../ingest/quarantine.ts';
import { LIST_QUARANTINE_DEFAULT_LIMIT } from '../store/store.ts';
import { type AnalysisFlags, table, withStore } from './analysis-common.ts';
import { EXIT_SOME_FAILED, printSummary } from './ingest.ts';
import { type CliContext, printJson, UsageError } from './output.ts';

interface QuarantineFlags extends AnalysisFlags {
  limit?: string;
}

/**
 * `sumi quarantine list`, `sumi quarantine raw ID`, `sumi quarantine retry [ID...]`: the inputs
 * kept because they gave no report (see ingest/quarantine.ts).
 */
export function registerQuarantine(program: Command, ctx: CliContext): void {
  const t = translator(ingestText, ctx.lang);
  program
    .command('quarantine')
    .description(t('quarantine.description'))
    .argument('<list|raw|retry>')
    .argument('[ids...]')
    .option('--db <file|url>', t('option.db'))
    .option('--json', t('quarantine.option.json'))
    .option('--limit <n>', t('quarantine.option.limit', { limit: LIST_QUARANTINE_DEFAULT_LIMIT }))
    .action(async (action: string, args: string[], flags: QuarantineFlags) => {
      if (action !== 'list' && action !== 'raw' && action !== 'retry') {
        throw new UsageError(t('quarantine.badAction', { action }));
      }
      const ids = args.map((id) => {
        if (!/^[1-9]\d{0,15}$/.test(id)) throw new UsageError(t('quarantine.badId', { id }));
        return Number(id);
      });
      if (action === 'raw' && ids.length !== 1) throw new UsageError(t('quarantine.usage.raw'));
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw new UsageError(t('error.badNumber', { option: '--limit', value: String(flags.limit) }));
      }
      const failed = await withStore(flags, ctx, async (store) => {
        if (action === 'raw') {
          const bytes = await store.getRawReport(ids[0]!, 'quarantine');
          if (!bytes) throw new UsageError(t('quarantine.missing', { id: ids[0]! }));
          ctx.stdout.write(bytes);
          return false;
        }
        if (action === 'list') {
          const entries = await store.listQuarantine({
            ...(limit ? { limit } : {}),
            ...(ids.length > 0 ? { ids } : {}),
          });
          if (flags.json) printJson(ctx, { quarantine: entries });
          else if (entries.length === 0) ctx.stdout.write(`${t('quarantine.empty')}\n`);
          else {
            const head = ['id', 'lastSeen', 'times', 'size', 'source', 'reason'] as const;
            const rows = entries.map((e) => [
              String(e.id),
              isoDay(e.lastSeenAt),
              String(e.times),
              String(e.rawSize),
              e.sourceCount > 1
                ? t('quarantine.moreSources', {
                    source: sourceWords(e.source, ctx.lang),
                    more: e.sourceCount - 1,
                  })
                : sourceWords(e.source, ctx.lang),
              `${e.errorCode}: ${quarantineReasonIn(e, ctx.lang)}`,
            ]);
            ctx.stdout.write(
              `${table(
                head.map((h) => t(`quarantine.col.${h}`)),
                rows,
                [0, 2, 3],
              )}\n`,
            );
          }
          return false;
        }
        if (ids.length > 0) {
          // As the API does: an id naming no entry (never, or released since) is refused before
          // anything is read again, where it was passed over and the run said it retried 0.
          const present = new Set((await store.listQuarantine({ ids, limit: ids.length })).map((e) => e.id));
          const missing = [...new Set(ids.filter((id) => !present.has(id)))];
          if (missing.length > 0) {
            throw new UsageError(t('quarantine.missingSome', { ids: missing.join(', ') }));
          }
        }
        const started = Date.now();
        const retry = await retryQuarantined(store, ids.length > 0 ? { ids } : {});
        if (flags.json) {
          printJson(ctx, {
            retried: retry.retried,
            released: retry.released,
            ...totalsAnswer(retry.totals, ctx.lang),
          });
        } else {
          printSummary(ctx, retry.totals, false, (Date.now() - started) / 1000);
          ctx.stdout.write(
            `${t('quarantine.released', { released: retry.released, retried: retry.retried })}\n`,
          );
        }
        return retry.totals.failed.length > 0;
      });
      // As sumi ingest: 2 when some input still gave no report.
      if (failed) throw new CommanderError(EXIT_SOME_FAILED, 'sumi.quarantine.failed', '');
    });
}
