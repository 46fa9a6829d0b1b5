/** `sumi user add|list|change|delete`: dashboard accounts from the command line. */
import { type Command, Option } from 'commander';
import { domainName, InventoryInputError } from '../analysis/inventory.ts';
import {
  AccountError,
  Accounts,
  normaliseUsername,
  ROLES,
  type Role,
  SETUP_LINK_SECONDS,
  type User,
} from '../auth/accounts.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password.ts';
import { cliText } from '../i18n/cli.ts';
import { ingestText } from '../i18n/ingest.ts';
import { serverText } from '../i18n/server.ts';
import { translate, translator } from '../i18n/translate.ts';
import { type CliContext, printJson, UsageError } from './output.ts';
import { withStore } from './with-store.ts';

interface UserFlags {
  db?: string;
  json?: boolean;
}

interface AddFlags extends UserFlags {
  role: Role;
  domain: string[];
  group: string[];
  allDomains?: boolean;
  setupLink?: string;
}

interface ChangeFlags extends UserFlags {
  role?: Role;
  domain: string[];
  group: string[];
  /** false: --no-domains (none); true when not given. */
  domains: boolean;
  groups: boolean;
  allDomains?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * The domains given, as the store keeps them; a UsageError naming the first that is not a domain
 * name (checked as the API checks them: a typo would otherwise give access to nothing, silently).
 */
function checkedDomains(given: readonly string[], ctx: CliContext): string[] {
  return given.map((text) => {
    try {
      return domainName(text);
    } catch (error) {
      if (!(error instanceof InventoryInputError)) throw error;
      throw new UsageError(translate(serverText, 'error.bad-domain', ctx.lang, { domain: text }));
    }
  });
}

export function registerUser(program: Command, ctx: CliContext): void {
  const t = translator(serverText, ctx.lang);
  const tc = translator(cliText, ctx.lang);
  const ti = translator(ingestText, ctx.lang);
  const user = program.command('user').description(t('user.description'));

  user
    .command('add')
    .description(t('user.add.description'))
    .argument('<name>')
    .addOption(new Option('--role <role>', t('user.option.role')).choices(ROLES).makeOptionMandatory())
    .option('--domain <domain>', t('user.option.domain'), collect, [])
    .option('--group <group>', t('user.option.group'), collect, [])
    .option('--all-domains', t('user.option.allDomains'))
    .option('--setup-link <base-url>', t('user.option.setupLink'))
    .option('--db <file|url>', ti('option.db'))
    .option('--json', tc('option.json'))
    .action(async (name: string, flags: AddFlags) => {
      let username: string;
      try {
        username = normaliseUsername(name);
      } catch {
        throw new UsageError(t('error.bad-username'));
      }
      const domains = checkedDomains(flags.domain, ctx);
      const password = flags.setupLink === undefined ? await readPassword(ctx, username) : null;
      await withStore(
        flags,
        ctx,
        async (store) => {
          const accounts = new Accounts(store.db);
          let created: Awaited<ReturnType<Accounts['createUser']>>;
          try {
            created = await accounts.createUser({
              username,
              password,
              role: flags.role,
              allDomains: Boolean(flags.allDomains),
              domains,
              groups: flags.group,
            });
          } catch (error) {
            if (error instanceof AccountError) {
              throw new UsageError(
                translate(serverText, `error.${error.code}`, ctx.lang, {
                  username,
                  min: PASSWORD_MIN_LENGTH,
                  max: PASSWORD_MAX_LENGTH,
                }),
              );
            }
            throw error;
          }
          let setupUrl: string | undefined;
          if (flags.setupLink !== undefined) {
            const { token } = await accounts.createSetupToken(created.id);
            setupUrl = `${flags.setupLink.replace(/\/+$/, '')}/setup?token=${token}`;
          }
          await accounts.audit({
            userId: null,
            username: null,
            action: 'user.add',
            target: created.username,
            detail: { role: created.role, by: 'sumi user add' },
          });
          if (flags.json) {
            printJson(ctx, { user: created, ...(setupUrl ? { setupUrl } : {}) });
            return;
          }
          ctx.stdout.write(`${t('user.added', { username: created.username, role: created.role })}\n`);
          if (setupUrl) {
            ctx.stdout.write(`${t('user.setupLink', { hours: SETUP_LINK_SECONDS / 3600, url: setupUrl })}\n`);
          }
        },
        { create: true },
      );
    });

  user
    .command('list')
    .description(t('user.list.description'))
    .option('--db <file|url>', ti('option.db'))
    .option('--json', tc('option.json'))
    .action(async (flags: UserFlags) => {
      await withStore(flags, ctx, async (store) => {
        const users = await new Accounts(store.db).listUsers();
        if (flags.json) {
          printJson(ctx, { users });
          return;
        }
        if (users.length === 0) ctx.stdout.write(`${t('user.noneYet')}\n`);
        for (const u of users) ctx.stdout.write(`${u.username}\t${u.role}\t${accessOf(u)}\n`);
      });
    });

  user
    .command('change')
    .description(t('user.change.description'))
    .argument('<name>')
    .addOption(new Option('--role <role>', t('user.option.role')).choices(ROLES))
    .option('--domain <domain>', t('user.option.domainChange'), collect, [])
    .option('--no-domains', t('user.option.noDomains'))
    .option('--group <group>', t('user.option.groupChange'), collect, [])
    .option('--no-groups', t('user.option.noGroups'))
    .option('--all-domains', t('user.option.allDomains'))
    .option('--no-all-domains', t('user.option.notAllDomains'))
    .option('--db <file|url>', ti('option.db'))
    .option('--json', tc('option.json'))
    .action(async (name: string, flags: ChangeFlags) => {
      const given = checkedDomains(flags.domain, ctx);
      await withStore(flags, ctx, async (store) => {
        const accounts = new Accounts(store.db);
        const found = await namedUser(accounts, name, ctx);
        const { username } = found;
        const list = (named: string[], kept: boolean) => (named.length > 0 ? named : kept ? undefined : []);
        const domains = list(given, flags.domains);
        const groups = list(flags.group, flags.groups);
        const changes = {
          ...(flags.role !== undefined ? { role: flags.role } : {}),
          ...(flags.allDomains !== undefined ? { allDomains: flags.allDomains } : {}),
          ...(domains ? { domains } : {}),
          ...(groups ? { groups } : {}),
        };
        let changed: Awaited<ReturnType<Accounts['updateUser']>>;
        try {
          changed = await accounts.updateUser(found.id, changes);
        } catch (error) {
          if (error instanceof AccountError)
            throw new UsageError(translate(serverText, `error.${error.code}`, ctx.lang));
          throw error;
        }
        await accounts.audit({
          userId: null,
          username: null,
          action: 'user.update',
          target: username,
          detail: { ...changes, by: 'sumi user change' },
        });
        if (flags.json) printJson(ctx, { user: changed });
        else
          ctx.stdout.write(
            `${t('user.changed', { username, role: changed!.role, access: accessOf(changed!) || '–' })}\n`,
          );
      });
    });

  user
    .command('delete')
    .description(t('user.delete.description'))
    .argument('<name>')
    .option('--db <file|url>', ti('option.db'))
    .option('--json', tc('option.json'))
    .action(async (name: string, flags: UserFlags) => {
      await withStore(flags, ctx, async (store) => {
        const accounts = new Accounts(store.db);
        const found = await namedUser(accounts, name, ctx);
        const { username } = found;
        try {
          await accounts.deleteUser(found.id);
        } catch (error) {
          if (error instanceof AccountError) throw new UsageError(t('error.last-admin'));
          throw error;
        }
        await accounts.audit({ userId: null, username: null, action: 'user.delete', target: username });
        if (flags.json) printJson(ctx, { deleted: username });
        else ctx.stdout.write(`${t('user.deleted', { username })}\n`);
      });
    });
}

/** The user of that name; a UsageError when there is none. */
async function namedUser(accounts: Accounts, name: string, ctx: CliContext): Promise<User> {
  const username = name.trim().toLowerCase();
  const found = (await accounts.listUsers()).find((u) => u.username === username);
  if (!found) throw new UsageError(translate(serverText, 'user.notFound', ctx.lang, { username }));
  return found;
}

/** What a user may see, as `user list` shows it: `*` for every domain, else domains and `group:` names. */
function accessOf(user: User): string {
  return user.allDomains ? '*' : [...user.domains, ...user.groups.map((g) => `group:${g}`)].join(', ');
}

/** The password: the first line of stdin, or typed at a terminal prompt without echo. */
async function readPassword(ctx: CliContext, username: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
  }
  ctx.stderr.write(translate(serverText, 'user.prompt', ctx.lang, { username }));
  return new Promise((resolve, reject) => {
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      ctx.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const c of data) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return done(new UsageError('cancelled'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
