import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Zone } from '../dns/zone.ts';
import { ZoneServer } from '../dns/zone-server.ts';
import { cliText } from '../i18n/cli.ts';
import { translator } from '../i18n/translate.ts';
import { runCheck } from './check.ts';
import type { CliContext } from './output.ts';

const DEMO_ZONE = new URL('../../examples/demo.zone', import.meta.url);
const DEMO_DOMAINS = ['bank.example.co.jp', 'card.example.co.jp', 'univ.example.ac.jp', 'city.example.lg.jp'];

/** `sumi demo`: Sumi on its own sample data, no network needed. */
export function registerDemo(program: Command, ctx: CliContext): void {
  const t = translator(cliText, ctx.lang);
  program
    .command('demo')
    .description(t('demo.description'))
    .action(async () => {
      const server = await ZoneServer.start(Zone.parse(await readFile(DEMO_ZONE, 'utf8')));
      try {
        ctx.stdout.write(`${t('demo.intro', { address: server.address })}\n\n`);
        await runCheck(ctx, DEMO_DOMAINS, {
          resolver: server.address,
          discovery: 'treewalk',
          concurrency: '16',
        });
        ctx.stdout.write(`${t('demo.next', { address: server.address })}\n`);
      } finally {
        await server.close();
      }
    });
}
