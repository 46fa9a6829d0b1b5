import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Zone, ZoneFileError } from '../dns/zone.ts';
import { ZoneServer } from '../dns/zone-server.ts';
import { cliText } from '../i18n/cli.ts';
import { translator } from '../i18n/translate.ts';
import { type CliContext, UsageError } from './output.ts';

export function registerDns(program: Command, ctx: CliContext): void {
  const t = translator(cliText, ctx.lang);
  const dns = program.command('dns').description(t('dns.description'));
  dns
    .command('serve')
    .description(t('dns.serve.description'))
    .argument('<zonefile>')
    .option('--listen <host:port>', t('dns.serve.listen'), '127.0.0.1:5353')
    .action(async (file: string, options: { listen: string }) => {
      const colon = options.listen.lastIndexOf(':');
      const host = options.listen.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = Number(options.listen.slice(colon + 1));
      if (colon === -1 || !Number.isInteger(port))
        throw new UsageError(t('error.hostPort', { flag: '--listen', value: options.listen }));
      let zone: Zone;
      try {
        zone = Zone.parse(await readFile(file, 'utf8'));
      } catch (error) {
        if (error instanceof ZoneFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new UsageError(t('dns.serve.badZone', { file, message: (error as Error).message }));
        }
        throw error;
      }
      const server = await ZoneServer.start(zone, { host, port });
      ctx.stderr.write(
        `${t('dns.serve.listening', { records: zone.size, file, address: server.address })}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
