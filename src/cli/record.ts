import { type Command, Option } from 'commander';
import { cliText } from '../i18n/cli.ts';
import { translator } from '../i18n/translate.ts';
import { buildBimiRecord } from '../records/bimi/record.ts';
import { buildDmarcRecord } from '../records/dmarc/index.ts';
import { type DescribedFinding, describeFinding, type Finding } from '../records/finding.ts';
import { buildMtaSts } from '../records/mta-sts/build.ts';
import { buildSpfRecord } from '../records/spf/build.ts';
import { buildTlsRpt } from '../records/tls-rpt/build.ts';
import { type CliContext, painter, printJson, UsageError } from './output.ts';

/** Repeatable, comma-separated list flags: `--rua a,b --rua c`. */
const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

interface Written {
  records: { name: string; type: string; value: string }[];
  /** A file to serve (MTA-STS policy). */
  files?: { url: string; contentType: string; text: string }[];
  findings: Finding[];
}

export function registerRecord(program: Command, ctx: CliContext): void {
  const t = translator(cliText, ctx.lang);
  const record = program.command('record').description(t('record.description'));
  const emit = (written: Written, json: boolean | undefined) => {
    const findings = written.findings.map((f) => describeFinding(f, ctx.lang));
    const invalid = findings.some((f) => f.severity === 'error');
    if (json) printJson(ctx, { valid: !invalid, records: written.records, files: written.files, findings });
    else printWritten(ctx, written, findings);
    if (invalid) throw new UsageError(t('record.invalid'));
  };

  record
    .command('dmarc')
    .description(t('record.dmarc.description'))
    .option('--domain <domain>', t('record.option.domain'))
    .addOption(
      new Option('--policy <p>', 'p').choices(['none', 'quarantine', 'reject']).makeOptionMandatory(),
    )
    .addOption(new Option('--sp <p>', 'sp').choices(['none', 'quarantine', 'reject']))
    .addOption(new Option('--np <p>', 'np').choices(['none', 'quarantine', 'reject']))
    .option('--rua <uri>', t('record.option.rua'), list)
    .option('--ruf <uri>', t('record.option.ruf'), list)
    .addOption(new Option('--adkim <mode>', 'adkim').choices(['r', 's']))
    .addOption(new Option('--aspf <mode>', 'aspf').choices(['r', 's']))
    .option('--fo <options>', 'fo (0, 1, d, s; e.g. 1:d)')
    .option('--testing', t('record.option.testing'))
    .addOption(new Option('--psd <flag>', 'psd').choices(['y', 'n', 'u']))
    .option('--json', t('option.json'))
    .action((o) => {
      const built = buildDmarcRecord({
        policy: o.policy,
        ...(o.domain ? { domain: o.domain } : {}),
        ...(o.sp ? { subdomainPolicy: o.sp } : {}),
        ...(o.np ? { nonexistentPolicy: o.np } : {}),
        ...(o.rua ? { rua: o.rua } : {}),
        ...(o.ruf ? { ruf: o.ruf } : {}),
        ...(o.adkim ? { adkim: o.adkim } : {}),
        ...(o.aspf ? { aspf: o.aspf } : {}),
        ...(o.fo ? { fo: o.fo } : {}),
        ...(o.testing ? { testing: true } : {}),
        ...(o.psd ? { psd: o.psd } : {}),
      });
      emit({ records: [built], findings: built.findings }, o.json);
    });

  record
    .command('spf')
    .description(t('record.spf.description'))
    .option('--domain <domain>', t('record.option.domain'))
    .option('--ip4 <net>', 'ip4:', list)
    .option('--ip6 <net>', 'ip6:', list)
    .option('--a [hosts]', t('record.option.a'))
    .option('--mx [domains]', t('record.option.mx'))
    .option('--include <domain>', 'include:', list)
    .addOption(new Option('--all <qualifier>', t('record.option.all')).choices(['-', '~']))
    .option('--redirect <domain>', 'redirect=')
    .option('--parked', t('record.option.parked'))
    .option('--json', t('option.json'))
    .action((o) => {
      const hosts = (v: string | boolean | undefined) =>
        typeof v === 'string' ? list(v) : v === true ? true : undefined;
      const a = hosts(o.a);
      const mx = hosts(o.mx);
      const built = buildSpfRecord({
        ...(o.domain ? { domain: o.domain } : {}),
        ...(o.ip4 ? { ip4: o.ip4 } : {}),
        ...(o.ip6 ? { ip6: o.ip6 } : {}),
        ...(a !== undefined ? { a } : {}),
        ...(mx !== undefined ? { mx } : {}),
        ...(o.include ? { include: o.include } : {}),
        ...(o.all ? { all: o.all } : {}),
        ...(o.redirect ? { redirect: o.redirect } : {}),
        ...(o.parked ? { parked: true } : {}),
      });
      emit(
        { records: [{ name: built.name ?? '@', type: 'TXT', value: built.value }], findings: built.findings },
        o.json,
      );
    });

  record
    .command('bimi')
    .description(t('record.bimi.description'))
    .requiredOption('--domain <domain>', t('record.option.domain'))
    .option('--selector <selector>', t('check.option.bimiSelector'), 'default')
    .option('--logo <url>', t('record.option.logo'))
    .option('--certificate <url>', t('record.option.certificate'))
    .addOption(new Option('--avp <preference>', 'avp').choices(['brand', 'personal']))
    .option('--decline', t('record.option.decline'))
    .option('--json', t('option.json'))
    .action((o) => {
      if (!o.decline && !o.logo) throw new UsageError(t('record.bimi.needLogo'));
      const built = buildBimiRecord({
        domain: o.domain,
        selector: o.selector,
        logoUrl: o.decline ? '' : o.logo,
        ...(o.certificate ? { certificateUrl: o.certificate } : {}),
        ...(o.avp ? { avp: o.avp } : {}),
      });
      emit({ records: [built], findings: built.findings }, o.json);
    });

  record
    .command('mta-sts')
    .description(t('record.mtaSts.description'))
    .requiredOption('--domain <domain>', t('record.option.domain'))
    .addOption(new Option('--mode <mode>', 'mode').choices(['enforce', 'testing', 'none']).default('testing'))
    .option('--mx <pattern>', t('record.option.mxPattern'), list)
    .option('--max-age <seconds>', 'max_age')
    .option('--id <id>', 'id')
    .option('--json', t('option.json'))
    .action((o) => {
      const maxAge = o.maxAge === undefined ? undefined : Number(o.maxAge);
      if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) {
        throw new UsageError(t('error.wholeNumber', { flag: '--max-age', value: o.maxAge, min: 0 }));
      }
      const built = buildMtaSts(o.domain, {
        mode: o.mode,
        mx: o.mx ?? [],
        ...(maxAge !== undefined ? { maxAge } : {}),
        ...(o.id ? { id: o.id } : {}),
      });
      emit({ records: [built.record], files: [built.policy], findings: built.findings }, o.json);
    });

  record
    .command('tlsrpt')
    .description(t('record.tlsrpt.description'))
    .requiredOption('--domain <domain>', t('record.option.domain'))
    .requiredOption('--rua <uri>', t('record.option.tlsrptRua'), list)
    .option('--json', t('option.json'))
    .action((o) => {
      const built = buildTlsRpt(o.domain, { rua: o.rua });
      emit({ records: [built.record], findings: built.findings }, o.json);
    });
}

function printWritten(ctx: CliContext, written: Written, findings: DescribedFinding[]): void {
  const t = translator(cliText, ctx.lang);
  const paint = painter(ctx);
  const out: string[] = [];
  for (const r of written.records) out.push(`${r.name} ${r.type} ${paint('bold', `"${r.value}"`)}`);
  for (const f of written.files ?? []) {
    out.push(
      '',
      t('record.serveFile', { url: f.url, contentType: f.contentType }),
      f.text.replaceAll('\r\n', '\n'),
    );
  }
  const mark = { error: paint('red', '✗'), warning: paint('yellow', '!'), info: paint('cyan', 'i') };
  for (const f of findings) {
    out.push(`${mark[f.severity]} ${paint('dim', `[${f.code}]`)} ${f.message}`);
    if (f.fix) out.push(`    ${paint('green', `${t('check.fix')}:`)} ${f.fix}`);
  }
  ctx.stdout.write(`${out.join('\n')}\n`);
}
