import { Command, CommanderError, Help, Option } from 'commander';
import { analysisText } from '../i18n/analysis.ts';
import type { UiCatalog } from '../i18n/catalog.ts';
import { cliText } from '../i18n/cli.ts';
import { ingestText } from '../i18n/ingest.ts';
import { detectLang, type Lang } from '../i18n/lang.ts';
import { planText } from '../i18n/plan.ts';
import { serverText } from '../i18n/server.ts';
import { surveyText } from '../i18n/survey.ts';
import { translate, translator } from '../i18n/translate.ts';
import { hostPort } from '../net/address.ts';
import { describeStoreAccessError, StoreAccessError } from '../store/errors.ts';
import { commanderInLanguage } from './commander-text.ts';
import { type CliContext, guardedStream, RuntimeError, UsageError } from './output.ts';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Every command, in the order the help lists them: how to load it, and how the program's help
 * lists it without loading it (its term and description; a test holds them to the commands'
 * own). Loading every command's modules for the program's help took 1.3-1.4 s.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register>, listed: Listed])[] = [
  [
    'check',
    async () => (await import('./check.ts')).registerCheck,
    ['[options] [domains...]', cliText, 'check.description'],
  ],
  ['demo', async () => (await import('./demo.ts')).registerDemo, ['[options]', cliText, 'demo.description']],
  ['dns', async () => (await import('./dns.ts')).registerDns, ['', cliText, 'dns.description']],
  [
    'ingest',
    async () => (await import('./ingest.ts')).registerIngest,
    ['[options] [inputs...]', ingestText, 'ingest.description'],
  ],
  [
    'quarantine',
    async () => (await import('./quarantine.ts')).registerQuarantine,
    ['[options] <list|raw|retry> [ids...]', ingestText, 'quarantine.description'],
  ],
  [
    'prune',
    async () => (await import('./prune.ts')).registerPrune,
    ['[options]', ingestText, 'prune.description'],
  ],
  ['record', async () => (await import('./record.ts')).registerRecord, ['', cliText, 'record.description']],
  [
    'serve',
    async () => (await import('./serve.ts')).registerServe,
    ['[options]', serverText, 'serve.description'],
  ],
  [
    'smtpd',
    async () => (await import('./smtpd.ts')).registerSmtpd,
    ['[options]', ingestText, 'smtpd.description'],
  ],
  [
    'survey',
    async () => (await import('./survey.ts')).registerSurvey,
    ['[options] [file]', surveyText, 'survey.description'],
  ],
  ['user', async () => (await import('./user.ts')).registerUser, ['', serverText, 'user.description']],
  [
    'worker',
    async () => (await import('./worker.ts')).registerWorker,
    ['[options]', surveyText, 'worker.description'],
  ],
  [
    'domains',
    async () => (await import('./domains.ts')).registerDomains,
    ['[options] <add|remove|list|overview> [domain]', analysisText, 'domains.description'],
  ],
  [
    'reporters',
    async () => (await import('./reporters.ts')).registerReporters,
    ['[options] <domain>', analysisText, 'reporters.description'],
  ],
  [
    'senders',
    async () => (await import('./senders.ts')).registerSenders,
    ['[options] <domain|mark|unmark> [args...]', analysisText, 'senders.description'],
  ],
  [
    'simulate',
    async () => (await import('./simulate.ts')).registerSimulate,
    ['[options] <domain>', analysisText, 'simulate.description'],
  ],
  [
    'sources',
    async () => (await import('./sources.ts')).registerSources,
    ['[options] <domain>', analysisText, 'sources.description'],
  ],
  [
    'subdomains',
    async () => (await import('./subdomains.ts')).registerSubdomains,
    ['[options] <domain>', analysisText, 'subdomains.description'],
  ],
  [
    'summary',
    async () => (await import('./summary.ts')).registerSummary,
    ['[options] <domain>', analysisText, 'summary.description'],
  ],
  [
    'failures',
    async () => (await import('./failures.ts')).registerFailures,
    ['[options] <domain>', planText, 'failures.description'],
  ],
  [
    'tls',
    async () => (await import('./tls.ts')).registerTls,
    ['[options] <domain>', analysisText, 'tls.description'],
  ],
  [
    'history',
    async () => (await import('./history.ts')).registerHistory,
    ['[options] <domain>', planText, 'history.description'],
  ],
  [
    'plan',
    async () => (await import('./plan.ts')).registerPlan,
    ['[options] <domain>', planText, 'plan.description'],
  ],
  [
    'resolve-ips',
    async () => (await import('./resolve-ips.ts')).registerResolveIps,
    ['[options]', planText, 'resolve.description'],
  ],
];

/** How the program's help lists a command: what follows its name, and its description's words. */
type Listed = readonly [usage: string, catalog: UiCatalog, key: string];

/** The command argv names: its first word that is neither an option nor --lang's value. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--lang') i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** The language must be known before the help texts are built, so `--lang` is read first. */
function languageFromArgv(argv: string[], env: Record<string, string | undefined>): Lang {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const flag = i === -1 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  try {
    return detectLang(flag, env);
  } catch {
    return detectLang(undefined, env);
  }
}

/**
 * The program with its commands: only the command `argv` names, when it names one (loading
 * every command's modules took 1.3 s of each run), or whose help `sumi help NAME` asks; none for
 * `--version`; for the program's help, a mistyped command or none, each command as the help
 * lists it (COMMANDS), not loaded. `all`: every command loaded (to hold the listing to them).
 */
export async function buildProgram(
  ctx: CliContext,
  argv: readonly string[] = [],
  { all = false }: { all?: boolean } = {},
): Promise<Command> {
  const t = translator(cliText, ctx.lang);
  const program = new Command('sumi');
  // Before the commands are added: they copy these settings.
  commanderInLanguage(program, ctx.lang);
  program
    .description(t('program.description'))
    .version('0.1.0', '-V, --version', t('option.version'))
    .helpOption('-h, --help', t('option.help'))
    .helpCommand('help [command]', t('option.help'))
    .addOption(new Option('--lang <lang>', t('option.lang')).choices(['en', 'ja']))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  const named = commandName(argv);
  // `sumi help NAME`: NAME's own help, which needs NAME loaded.
  const asked = named === 'help' ? commandName(argv.slice(argv.indexOf('help') + 1)) : named;
  const chosen = COMMANDS.filter(([name]) => all || name === asked);
  if (chosen.length > 0) {
    const registers = await Promise.all(chosen.map(([, load]) => load()));
    for (const register of registers) register(program, ctx);
    return program;
  }
  if (asked === undefined && argv.some((word) => word === '-V' || word === '--version')) return program;
  const usage = new Map<string, string>();
  for (const [name, , [args, catalog, key]] of COMMANDS) {
    program.command(name).description(translate(catalog, key, ctx.lang));
    usage.set(name, args === '' ? name : `${name} ${args}`);
  }
  const terms = new Help();
  program.configureHelp({
    // The language's settings (commanderInLanguage) stay.
    ...program.configureHelp(),
    subcommandTerm: (command) => usage.get(command.name()) ?? terms.subcommandTerm(command),
  });
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input). */
export async function run(argv: string[], ctx: Omit<CliContext, 'lang'>): Promise<number> {
  const lang = languageFromArgv(argv, ctx.env);
  const full: CliContext = {
    ...ctx,
    stdout: guardedStream(ctx.stdout),
    stderr: guardedStream(ctx.stderr),
    lang,
    argv,
  };
  const t = translator(cliText, lang);
  try {
    await (await buildProgram(full, argv)).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end through here too, with exit code 0; a command's own ends
      // (sumi.*) carry their status.
      if (error.code.startsWith('sumi.')) return error.exitCode;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      full.stderr.write(`${t('error.usage', { message: error.message })}\n`);
      return 2;
    }
    const listening = listenFailure(error);
    if (listening) {
      const reason =
        listening.code === 'EADDRINUSE' || listening.code === 'EACCES' || listening.code === 'EADDRNOTAVAIL'
          ? t(`error.listen.${listening.code}`)
          : listening.message;
      const message = t('error.listen', { address: listening.address, reason });
      full.stderr.write(`${t('error.runtime', { message })}\n`);
      return 1;
    }
    if (error instanceof RuntimeError) {
      full.stderr.write(`${t('error.runtime', { message: error.message })}\n`);
      return 1;
    }
    if (error instanceof StoreAccessError) {
      // The configuration or the server, not a bug: its words, no stack.
      full.stderr.write(`${t('error.runtime', { message: describeStoreAccessError(error, lang) })}\n`);
      // A --db that is no URL, or names no store, is the command's input; the rest, the world's state.
      return error.code === 'bad-url' || error.code === 'no-store' ? 2 : 1;
    }
    full.stderr.write(`${t('error.runtime', { message: (error as Error).stack ?? String(error) })}\n`);
    return 1;
  }
}

/** A server's listen() or bind() that failed (`sumi serve`, `smtpd`, `dns serve`): its address and why. */
function listenFailure(error: unknown): { address: string; code: string; message: string } | undefined {
  const { syscall, address, port, code, message } = error as {
    syscall?: unknown;
    address?: unknown;
    port?: unknown;
    code?: unknown;
    message?: unknown;
  };
  // 'bind': a UDP socket's (dns serve).
  if ((syscall !== 'listen' && syscall !== 'bind') || typeof code !== 'string') return undefined;
  const host = typeof address === 'string' ? address : '';
  const shown = typeof port === 'number' ? hostPort(host, port) : host;
  return { address: shown, code, message: String(message) };
}
