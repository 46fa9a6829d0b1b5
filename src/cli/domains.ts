import type { Command } from 'commander';
import { addDomain, domainName, listDomains, removeDomain } from '../analysis/inventory.ts';
import { type DomainOverview, describeNextStep, domainOverviews } from '../analysis/overview.ts';
import { isoDay, type Period } from '../analysis/period.ts';
import { analysisText } from '../i18n/analysis.ts';
import { translator } from '../i18n/translate.ts';
import type { Store } from '../store/types.ts';
import {
  type AnalysisFlags,
  analysisOptions,
  percent,
  periodFromFlags,
  table,
  withStore,
} from './analysis-common.ts';
import { type CliContext, count, printJson, UsageError } from './output.ts';

interface DomainsFlags extends AnalysisFlags {
  note?: string;
}

const ACTIONS = ['add', 'remove', 'list', 'overview'];

/**
 * `sumi domains add|remove DOMAIN [--note]`, `sumi domains list`: the owner's inventory;
 * `sumi domains overview`: every domain with reports or in the inventory at a glance.
 */
export function registerDomains(program: Command, ctx: CliContext): void {
  const t = translator(analysisText, ctx.lang);
  analysisOptions(
    program
      .command('domains')
      .description(t('domains.description'))
      .argument('<add|remove|list|overview>')
      .argument('[domain]')
      .option('--note <text>', t('domains.option.note')),
    ctx,
    { period: true },
  ).action(async (action: string, domain: string | undefined, flags: DomainsFlags) => {
    if (!ACTIONS.includes(action)) throw new UsageError(t('domains.badAction', { action }));
    if ((action === 'add' || action === 'remove') && domain === undefined)
      throw new UsageError(t('domains.usage', { action }));
    if (action !== 'overview' && (flags.since !== undefined || flags.until !== undefined))
      throw new UsageError(t('domains.periodForOverview'));
    if (action === 'overview') {
      const period = periodFromFlags(flags);
      await withStore(flags, ctx, (store) => printOverview(store, period, flags, ctx));
      return;
    }
    await withStore(
      flags,
      ctx,
      async (store) => {
        if (action === 'list') {
          const list = await listDomains(store);
          if (flags.json) printJson(ctx, { domains: list });
          else if (list.length === 0) ctx.stdout.write(`${t('domains.empty')}\n`);
          else {
            const rows = list.map((d) => [d.domain, isoDay(d.addedAt), d.note ?? '']);
            ctx.stdout.write(`${table([t('col.domain'), t('col.added'), t('col.note')], rows)}\n`);
          }
          return;
        }
        const normalised = domainName(domain as string);
        const changed =
          action === 'add'
            ? await addDomain(store, normalised, flags.note)
            : await removeDomain(store, normalised);
        if (flags.json) printJson(ctx, { action, domain: normalised, changed });
        else {
          const key =
            action === 'add'
              ? changed
                ? 'domains.added'
                : 'domains.present'
              : changed
                ? 'domains.removed'
                : 'domains.absent';
          ctx.stdout.write(`${t(key, { domain: normalised })}\n`);
        }
        // The inventory may come before any report: adding a domain makes the store.
      },
      { create: action === 'add' },
    );
  });
}

/** Every domain with reports in the period or in the inventory: policy, volume, pass rate, next step. */
async function printOverview(
  store: Store,
  period: Period,
  flags: DomainsFlags,
  ctx: CliContext,
): Promise<void> {
  const t = translator(analysisText, ctx.lang);
  const inventory = new Set((await listDomains(store)).map((d) => d.domain));
  const domains = await domainOverviews(store, period, { inventory: [...inventory] });
  const since = isoDay(period.since);
  const until = isoDay(period.until);
  if (flags.json) {
    printJson(ctx, {
      since,
      until,
      domains: domains.map(({ next, ...overview }) => ({
        ...overview,
        inventory: inventory.has(overview.domain),
        next: describeNextStep(next, ctx.lang),
      })),
    });
    return;
  }
  const out = [t('domains.overview.heading', { since, until, domains: domains.length }), ''];
  if (domains.length === 0) out.push(t('domains.overview.none'));
  else {
    const rows = domains.map((d) => [
      d.domain,
      t(inventory.has(d.domain) ? 'yes' : 'no'),
      policyText(d.policy),
      count(d.messages),
      d.passRate === null ? '-' : percent(d.passRate, 1),
      t(`nextShort.${d.next}`),
    ]);
    const head = [
      'col.domain',
      'col.inventory',
      'col.policy',
      'col.messages',
      'col.pass',
      'col.next',
    ] as const;
    out.push(
      table(
        head.map((key) => t(key)),
        rows,
        [3, 4],
      ),
    );
  }
  ctx.stdout.write(`${out.join('\n')}\n`);
}

/** `p=none sp=reject pct=50` as the latest report published it, `-` before any report. */
function policyText(policy: DomainOverview['policy']): string {
  if (!policy) return '-';
  const tags = [`p=${policy.p ?? '?'}`];
  if (policy.sp !== null) tags.push(`sp=${policy.sp}`);
  if (policy.pct !== null && policy.pct !== 100) tags.push(`pct=${policy.pct}`);
  return tags.join(' ');
}
