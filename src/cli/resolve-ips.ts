import type { Command } from 'commander';
import { domainName } from '../analysis/inventory.ts';
import { IP_FACTS_CONCURRENCY, MmdbFacts, MmdbFileError, StoredIpFacts } from '../analysis/ip-facts/index.ts';
import { createResolver } from '../dns/index.ts';
import { analysisText } from '../i18n/analysis.ts';
import { cliText } from '../i18n/cli.ts';
import { planText } from '../i18n/plan.ts';
import { translator } from '../i18n/translate.ts';
import { type AnalysisFlags, periodFromFlags, withStore } from './analysis-common.ts';
import { type CliContext, printJson, UsageError } from './output.ts';

/** Progress is redrawn at most this often. */
const PROGRESS_INTERVAL_MS = 200;

interface ResolveFlags extends AnalysisFlags {
  domain?: string;
  force?: boolean;
  concurrency?: string;
}

/** The owner's IP database from --mmdb or $SUMI_MMDB, or undefined; a bad file is a usage error. */
export async function mmdbFromFlags(
  flags: { mmdb?: string },
  ctx: CliContext,
): Promise<MmdbFacts | undefined> {
  const file = flags.mmdb ?? ctx.env.SUMI_MMDB;
  if (!file) return undefined;
  try {
    return await MmdbFacts.open(file);
  } catch (error) {
    if (error instanceof MmdbFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** `sumi resolve-ips`: fills the reverse DNS cache the analysis reads, outside ingestion. */
export function registerResolveIps(program: Command, ctx: CliContext): void {
  const t = translator(planText, ctx.lang);
  const words = translator(analysisText, ctx.lang);
  program
    .command('resolve-ips')
    .description(t('resolve.description'))
    .option('--db <file|url>', words('option.db'))
    .option('--json', words('option.json'))
    .option('--domain <domain>', t('resolve.option.domain'))
    .option('--since <30d|date>', t('resolve.option.since'))
    .option('--force', t('resolve.option.force'))
    .option('--resolver <servers>', t('resolve.option.resolver'))
    .option('--concurrency <n>', t('resolve.option.concurrency', { n: IP_FACTS_CONCURRENCY }))
    .action(async (flags: ResolveFlags) => {
      const concurrency = flags.concurrency === undefined ? IP_FACTS_CONCURRENCY : Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        const words = translator(cliText, ctx.lang);
        throw new UsageError(
          words('error.wholeNumber', { flag: '--concurrency', value: String(flags.concurrency), min: 1 }),
        );
      }
      const since = flags.since === undefined ? undefined : periodFromFlags({ since: flags.since }).since;
      const domain = flags.domain === undefined ? undefined : domainName(flags.domain);
      let dns: ReturnType<typeof createResolver>;
      try {
        dns = createResolver(flags.resolver);
      } catch (error) {
        throw new UsageError(`--resolver: ${(error as Error).message}`);
      }
      try {
        const summary = await withStore(flags, ctx, async (store) => {
          const facts = new StoredIpFacts(store, { resolver: dns.resolver, concurrency });
          let drawn = 0;
          const progress = (done: number, total: number) => {
            const now = Date.now();
            if (!ctx.stderr.isTTY || (now - drawn < PROGRESS_INTERVAL_MS && done < total)) return;
            drawn = now;
            ctx.stderr.write(`\r${t('resolve.progress', { done, total })}`);
          };
          const result = await facts.resolve(
            {
              ...(domain ? { domain } : {}),
              ...(since !== undefined ? { since } : {}),
              ...(flags.force ? { force: true } : {}),
            },
            progress,
          );
          if (ctx.stderr.isTTY && result.lookedUp > 0) ctx.stderr.write('\n');
          return result;
        });
        if (flags.json) printJson(ctx, summary);
        else ctx.stdout.write(`${t('resolve.summary', { ...summary })}\n`);
      } finally {
        dns.close();
      }
    });
}
