import { type Command, CommanderError } from 'commander';
import { Accounts } from '../auth/accounts.ts';
import { ingestText } from '../i18n/ingest.ts';
import { translator } from '../i18n/translate.ts';
import { pruneOptionsFor } from '../store/prune.ts';
import type { PruneTotals } from '../store/types.ts';
import { type AnalysisFlags, withStore } from './analysis-common.ts';
import { EXIT_INTERRUPTED } from './ingest.ts';
import { type CliContext, count as n, printJson, UsageError } from './output.ts';

interface PruneFlags extends AnalysisFlags {
  reports?: string;
  failureReports?: string;
  quarantine?: string;
  dryRun?: boolean;
}

/**
 * `sumi prune --reports DAYS --failure-reports DAYS --quarantine DAYS [--dry-run]`: deletes what
 * the store has kept longer than its owner wants (store/prune.ts), for a retention policy run
 * from cron or a timer. Ctrl-C stops after the batch under way and says what went (exit 130).
 */
export function registerPrune(program: Command, ctx: CliContext): void {
  const t = translator(ingestText, ctx.lang);
  program
    .command('prune')
    .description(t('prune.description'))
    .option('--reports <days>', t('prune.option.reports'))
    .option('--failure-reports <days>', t('prune.option.failureReports'))
    .option('--quarantine <days>', t('prune.option.quarantine'))
    .option('--dry-run', t('prune.option.dryRun'))
    .option('--db <file|url>', t('option.db'))
    .option('--json', t('prune.option.json'))
    .action(async (flags: PruneFlags) => {
      const days = (option: string, value: string | undefined): number | null => {
        if (value === undefined) return null;
        if (!/^[1-9]\d{0,5}$/.test(value)) throw new UsageError(t('prune.badDays', { option, value }));
        return Number(value);
      };
      const policy = {
        reportsDays: days('--reports', flags.reports),
        failureReportsDays: days('--failure-reports', flags.failureReports),
        quarantineDays: days('--quarantine', flags.quarantine),
      };
      const options = pruneOptionsFor(policy, Math.floor(Date.now() / 1000));
      if (!options) throw new UsageError(t('prune.nothing'));
      const {
        reportsBefore: reports,
        failureReportsBefore: failureReports,
        quarantineBefore: quarantine,
      } = options;
      if (flags.dryRun) options.dryRun = true;
      // Ctrl-C or SIGTERM: the batch under way commits, then the run ends and says what went.
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let totals: PruneTotals;
      try {
        totals = await withStore(flags, ctx, async (store) => {
          const deleted = await store.prune({ ...options, signal: controller.signal });
          if (!flags.dryRun) {
            // Deleting reports is a change an auditor asks about, as a dashboard user's are.
            await new Accounts(store.db).audit({
              userId: null,
              username: null,
              action: 'prune',
              target: 'store',
              detail: { by: 'sumi prune', policy, deleted },
            });
          }
          return deleted;
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      const iso = (epoch: number | undefined) =>
        epoch === undefined ? null : new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
      if (flags.json) {
        printJson(ctx, {
          dry_run: Boolean(flags.dryRun),
          before: {
            reports: iso(reports),
            failure_reports: iso(failureReports),
            quarantine: iso(quarantine),
          },
          aggregate_reports: totals.aggregateReports,
          records: totals.records,
          messages: totals.messages,
          tls_reports: totals.tlsReports,
          failure_reports: totals.failureReports,
          quarantined: totals.quarantined,
        });
      } else {
        const parts = [
          reports !== undefined &&
            t('prune.aggregate', {
              reports: n(totals.aggregateReports),
              records: n(totals.records),
              messages: n(totals.messages),
            }),
          reports !== undefined && t('prune.tls', { reports: n(totals.tlsReports) }),
          failureReports !== undefined && t('prune.failure', { reports: n(totals.failureReports) }),
          quarantine !== undefined && t('prune.quarantined', { inputs: n(totals.quarantined) }),
        ].filter((part): part is string => typeof part === 'string');
        ctx.stdout.write(
          `${t(flags.dryRun ? 'prune.wouldDelete' : 'prune.deleted', { what: parts.join(t('prune.and')) })}\n`,
        );
      }
      if (controller.signal.aborted) {
        ctx.stderr.write(`${t('prune.stopped')}\n`);
        throw new CommanderError(EXIT_INTERRUPTED, 'sumi.prune.interrupted', '');
      }
    });
}
