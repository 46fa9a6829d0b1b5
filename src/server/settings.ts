/**
 * Settings: the domain inventory (with the groups users are given access by), users, API
 * tokens, mailbox sources (IMAP, Microsoft Graph), the retention policy and the audit log. Every change is written to the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  addDomain,
  domainName,
  InventoryInputError,
  listDomains,
  removeDomain,
} from '../analysis/inventory.ts';
import { type Accounts, ROLES } from '../auth/accounts.ts';
import { scopeAllows } from '../auth/scope.ts';
import { ingestText } from '../i18n/ingest.ts';
import { schemaCheckText, serverText } from '../i18n/server.ts';
import { MAIL_API_ERROR_CODES } from '../ingest/api-access.ts';
import { isGmailUrl, parseGmailUrl } from '../ingest/gmail-account.ts';
import { isGraphUrl, parseGraphUrl } from '../ingest/graph-account.ts';
import {
  IMAP_ACCESS_ERROR_CODES,
  IMAP_DEFAULT_ARCHIVE,
  parseImapUrl,
  SOURCE_ENV_NAME,
} from '../ingest/imap-account.ts';
import { microsoftTokenUrl, tokenEndpointUrl } from '../ingest/oauth.ts';
import {
  archiveFault,
  graphUrlFault,
  MAILBOX_SOURCE_PROBLEMS,
  MAILBOX_SOURCE_STATES,
  type MailboxSources,
  type SourceApp,
  storedSourceFault,
} from '../ingest/sources.ts';
import { emptyPruneTotals, pruneOptionsFor, readRetention, writeRetentionPolicy } from '../store/prune.ts';
import type { Store } from '../store/types.ts';
import { accountError } from './auth.ts';
import { ApiError, inBoth, notFound, type SaidInBoth } from './errors.ts';
import type { RetentionJob } from './retention.ts';
import { type AnyRouteSpec, addRoute, type Caller, idParams, okResponse, pageQuery } from './route.ts';

const groupName = z.string().trim().min(1).max(64);

export interface SettingsOptions {
  store: Store;
  accounts: Accounts;
  /** Base URL printed in setup links (`http://127.0.0.1:8080`). */
  baseUrl: (request: FastifyRequest) => string;
  /** The watchers of the stored mailbox sources, when this server runs them (`sumi serve`). */
  mailboxSources?: MailboxSources;
  /** The retention policy's daily run, when this server runs it (`sumi serve`). */
  retention?: RetentionJob;
}

function auditFor(accounts: Accounts, request: FastifyRequest, caller: Caller) {
  return (action: string, target: string, detail?: Record<string, unknown>) =>
    accounts.audit({
      userId: caller.user.id,
      username: caller.user.username,
      action,
      target,
      detail: detail ?? null,
      ip: request.ip,
    });
}

function checkedDomain(text: string): string {
  try {
    return domainName(text);
  } catch (error) {
    if (error instanceof InventoryInputError)
      throw new ApiError(400, 'bad-domain', { domain: text.slice(0, 253) });
    throw error;
  }
}

export function registerSettingsRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  options: SettingsOptions,
): void {
  const { store, accounts } = options;

  // ------------------------------------------------------------ inventory

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/inventory/domains',
    summary: 'The domain inventory (the domains the caller may see), with notes and groups',
    tag: 'settings',
    access: 'viewer',
    response: z.object({
      domains: z.array(
        z.object({
          domain: z.string(),
          note: z.string().nullable(),
          addedAt: z.number(),
          groups: z.array(z.string()),
        }),
      ),
    }),
    async handler({ caller }) {
      const groups = await accounts.domainGroups();
      const domains = (await listDomains(store)).filter((d) => scopeAllows(caller.scope, d.domain));
      return {
        domains: domains.map((d) => ({
          ...d,
          groups: [...groups].filter(([, members]) => members.includes(d.domain)).map(([name]) => name),
        })),
      };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/inventory/domains',
    changesAnalysis: true,
    summary: 'Add a domain to the inventory (or change its note and groups)',
    tag: 'settings',
    access: 'admin',
    body: z.object({
      domain: z.string().max(253),
      note: z.string().max(500).optional(),
      groups: z.array(groupName).max(100).optional(),
    }),
    response: okResponse,
    async handler({ request, body, caller }) {
      const domain = checkedDomain(body.domain);
      try {
        await addDomain(store, domain, body.note);
      } catch (error) {
        if (error instanceof InventoryInputError)
          throw new ApiError(400, 'bad-request', { details: error.message });
        throw error;
      }
      if (body.groups) await accounts.setDomainGroups(domain, body.groups);
      await auditFor(accounts, request, caller)('inventory.add', domain, { groups: body.groups ?? null });
      return { ok: true };
    },
  });

  addRoute(app, registry, {
    method: 'DELETE',
    url: '/api/inventory/domains/:domain',
    changesAnalysis: true,
    summary: 'Remove a domain from the inventory (its reports stay)',
    tag: 'settings',
    access: 'admin',
    params: z.object({ domain: z.string().max(253) }),
    response: okResponse,
    async handler({ request, params, caller }) {
      const domain = checkedDomain(params.domain);
      if (!(await removeDomain(store, domain))) throw notFound(domain);
      await accounts.setDomainGroups(domain, []);
      await auditFor(accounts, request, caller)('inventory.remove', domain);
      return { ok: true };
    },
  });

  // ------------------------------------------------------------ users

  const userSchema = z.object({
    id: z.number(),
    username: z.string(),
    role: z.enum(ROLES),
    allDomains: z.boolean(),
    domains: z.array(z.string()),
    groups: z.array(z.string()),
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/users',
    summary: 'Users, with their roles and domain access',
    tag: 'settings',
    access: 'admin',
    response: z.object({ users: z.array(userSchema) }),
    async handler() {
      return { users: await accounts.listUsers() };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/users',
    summary:
      'Add a user; without a password the answer carries a one-time setup link (setupUrl) to give them',
    tag: 'settings',
    access: 'admin',
    body: z.object({
      username: z.string().max(64),
      password: z.string().max(1024).optional(),
      role: z.enum(ROLES),
      allDomains: z.boolean().default(false),
      domains: z.array(z.string().max(253)).max(1000).default([]),
      groups: z.array(groupName).max(100).default([]),
    }),
    response: z.object({ user: userSchema, setupUrl: z.string().nullable() }),
    async handler({ request, body, caller }) {
      const domains = body.domains.map(checkedDomain);
      const user = await accounts
        .createUser({
          username: body.username,
          password: body.password ?? null,
          role: body.role,
          allDomains: body.allDomains,
          domains,
          groups: body.groups,
        })
        .catch((error: unknown) => accountError(error, { username: body.username }));
      let setupUrl: string | null = null;
      if (body.password === undefined) {
        const { token } = await accounts.createSetupToken(user.id);
        setupUrl = `${options.baseUrl(request)}/setup?token=${token}`;
      }
      await auditFor(accounts, request, caller)('user.add', user.username, {
        role: user.role,
        allDomains: user.allDomains,
        domains: user.domains,
        groups: user.groups,
      });
      return { user, setupUrl };
    },
  });

  addRoute(app, registry, {
    method: 'PATCH',
    url: '/api/users/:id',
    summary:
      "Change a user's role or the domains and groups they may see (those given; lists replace the user's); not the last admin's role",
    tag: 'settings',
    access: 'admin',
    params: idParams,
    body: z.object({
      role: z.enum(ROLES).optional(),
      allDomains: z.boolean().optional(),
      domains: z.array(z.string().max(253)).max(1000).optional(),
      groups: z.array(groupName).max(100).optional(),
    }),
    response: z.object({ user: userSchema }),
    async handler({ request, params, body, caller }) {
      const changes = { ...body, ...(body.domains ? { domains: body.domains.map(checkedDomain) } : {}) };
      const user = await accounts
        .updateUser(params.id, changes)
        .catch((error: unknown) => accountError(error));
      if (!user) throw notFound(`user ${params.id}`);
      await auditFor(accounts, request, caller)('user.update', user.username, changes);
      return { user };
    },
  });

  addRoute(app, registry, {
    method: 'DELETE',
    url: '/api/users/:id',
    summary: 'Delete a user, their sessions and API tokens (not the last admin)',
    tag: 'settings',
    access: 'admin',
    params: idParams,
    response: okResponse,
    async handler({ request, params, caller }) {
      const user = await accounts.getUser(params.id);
      if (!user) throw notFound(`user ${params.id}`);
      await accounts.deleteUser(params.id).catch((error: unknown) => accountError(error));
      await auditFor(accounts, request, caller)('user.delete', user.username);
      return { ok: true };
    },
  });

  // ------------------------------------------------------------ API tokens

  const tokenSchema = z.object({
    id: z.number(),
    name: z.string(),
    prefix: z.string(),
    username: z.string(),
    createdAt: z.number(),
    lastUsedAt: z.number().nullable(),
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/tokens',
    summary: 'API tokens (never the secret): all of them for an admin, the caller’s own otherwise',
    tag: 'settings',
    access: 'analyst',
    response: z.object({ tokens: z.array(tokenSchema) }),
    async handler({ caller }) {
      return {
        tokens: await accounts.listApiTokens(caller.user.role === 'admin' ? undefined : caller.user.id),
      };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/tokens',
    summary: 'Create an API token for the caller; the token is in this answer only, never shown again',
    tag: 'settings',
    access: 'analyst',
    body: z.object({ name: z.string().trim().min(1).max(100) }),
    response: z.object({ id: z.number(), name: z.string(), prefix: z.string(), token: z.string() }),
    async handler({ request, body, caller }) {
      const created = await accounts.createApiToken(caller.user.id, body.name);
      await auditFor(accounts, request, caller)('token.create', `${created.prefix}…`, { name: body.name });
      return { id: created.id, name: body.name, prefix: created.prefix, token: created.token };
    },
  });

  addRoute(app, registry, {
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke an API token (an admin any, others their own)',
    tag: 'settings',
    access: 'analyst',
    params: idParams,
    response: okResponse,
    async handler({ request, params, caller }) {
      const owner = caller.user.role === 'admin' ? undefined : caller.user.id;
      if (!(await accounts.deleteApiToken(params.id, owner))) throw notFound(`token ${params.id}`);
      await auditFor(accounts, request, caller)('token.delete', String(params.id));
      return { ok: true };
    },
  });

  // ------------------------------------------------------------ mailbox sources

  const sourceSchema = z.object({
    id: z.number(),
    url: z.string(),
    /** The IMAP password's variable (unused when the source signs in as an application). */
    passwordEnv: z.string(),
    archive: z.string(),
    /** Mail with nothing like a report in it is left in the folder (`sumi ingest --leave-other-mail`). */
    leaveOtherMail: z.boolean(),
    /** What the source reads through, as its URL says: IMAP, Microsoft Graph (graph://) or the Gmail API (gmail://). */
    service: z.enum(['imap', 'graph', 'gmail']),
    /** The application it signs in as (client credentials), or null: the password. */
    clientId: z.string().nullable(),
    secretEnv: z.string().nullable(),
    tenant: z.string().nullable(),
    tokenUrl: z.string().nullable(),
    /** A graph:// source's Microsoft Graph base URL in a national cloud, or null: the global service. */
    graphUrl: z.string().nullable(),
    /** The Google service account it signs in as: the variable holding its JSON key, or null. */
    googleKeyEnv: z.string().nullable(),
    createdAt: z.number(),
    /** Paused by an admin: its settings kept, never connected until resumed. */
    paused: z.boolean(),
    /** When it was paused (who paused it is in the audit log), or null. */
    pausedAt: z.number().nullable(),
    /**
     * What keeps the source as stored from being watched, kept from before a rule that refuses it
     * (an archive folder such as INBOX.): the field, and why in both languages; an edit must change
     * it (or the source be removed). Null for a source that can be watched.
     */
    fault: z.object({ field: z.string(), reason: z.object({ en: z.string(), ja: z.string() }) }).nullable(),
    /** Null when this server does not watch the sources (`sumi serve --no-fetch`). */
    status: z
      .object({
        state: z.enum(MAILBOX_SOURCE_STATES),
        error: z.string().nullable(),
        /** A failure named by code, for the reader's language; `reason` carries the server's words. */
        problem: z
          .enum([
            ...MAILBOX_SOURCE_PROBLEMS,
            ...new Set([...IMAP_ACCESS_ERROR_CODES, ...MAIL_API_ERROR_CODES]),
          ] as [string, ...string[]])
          .nullable(),
        /** The server's words, or Sumi's own in both languages. */
        reason: z.union([z.string(), z.object({ en: z.string(), ja: z.string() })]).nullable(),
        since: z.number(),
        reports: z.number(),
        lastReportAt: z.number().nullable(),
      })
      .nullable(),
  });
  const envName = z.string().regex(SOURCE_ENV_NAME, schemaCheckText.sourceEnv.en);
  const sourceFields = {
    url: z.string().max(2048),
    passwordEnv: envName,
    archive: z.string().min(1).max(256),
    leaveOtherMail: z.boolean(),
    clientId: z.string().regex(/^[\x21-\x7e]{1,256}$/, schemaCheckText.clientId.en),
    secretEnv: envName,
    tenant: z.string().max(253),
    tokenUrl: z.string().max(2048),
    graphUrl: z.string().max(2048),
    googleKeyEnv: envName,
  };
  type SourceFields = {
    url: string;
    clientId?: string | null | undefined;
    secretEnv?: string | null | undefined;
    tenant?: string | null | undefined;
    tokenUrl?: string | null | undefined;
    graphUrl?: string | null | undefined;
    googleKeyEnv?: string | null | undefined;
  };
  /** A source's field at fault, and why in the client's language. */
  const badSource = (field: string, why: SaidInBoth) =>
    new ApiError(400, 'bad-request', { details: { en: `${field}: ${why.en}`, ja: `${field}: ${why.ja}` } });
  const said = (
    key: keyof typeof serverText & `source.${string}`,
    values?: Record<string, string | number>,
  ) => inBoth(serverText, key, values);
  /** A source's archive folder is one that works, not the folder (or label) read (archiveFault). */
  const checkedArchive = (url: string, archive: string) => {
    const why = archiveFault(url, archive);
    if (why) throw badSource('archive', why);
  };
  /**
   * A source the watcher can use: an IMAP URL without a password in it (passwords stay in the
   * environment), a graph:// one with an application to sign in as, or a gmail:// one with a
   * Google service account (its key's variable); an application's id,
   * secret variable, and tenant or https:// token endpoint (one of the two), and for graph:// an
   * https:// Graph URL if not the global service's. Its app, or null.
   */
  const checkedSource = (source: SourceFields): SourceApp | null => {
    const { url } = source;
    const graph = isGraphUrl(url);
    const gmail = isGmailUrl(url);
    const imap = /^imaps?:\/\//i.test(url);
    let mailbox: string | undefined;
    try {
      if (graph) parseGraphUrl(url);
      else if (gmail) mailbox = parseGmailUrl(url).mailbox;
      else parseImapUrl(url);
    } catch {
      const words = graph ? 'error.badGraphUrl' : gmail ? 'error.badGmailUrl' : 'error.badImapUrl';
      throw badSource(
        'url',
        imap || graph || gmail ? inBoth(ingestText, words, { url }) : said('source.url', { url }),
      );
    }
    // Its service account acts as a user, named by the address.
    if (mailbox === 'me') throw badSource('url', said('source.gmailMe', { url }));
    if (/^imaps?:\/\/[^/@]*:[^/@]*@/i.test(url)) throw badSource('url', said('source.passwordInUrl'));
    const { clientId, secretEnv, tenant, tokenUrl, graphUrl, googleKeyEnv } = source;
    const graphUrlWrong = graphUrlFault(url, graphUrl ?? undefined);
    if (graphUrlWrong) throw badSource('graphUrl', graphUrlWrong);
    if (googleKeyEnv) {
      if (graph) throw badSource('googleKeyEnv', said('source.googleKeyGraph'));
      if (clientId || secretEnv || tenant || tokenUrl)
        throw badSource('googleKeyEnv', said('source.googleKeyOrApp'));
      return { googleKeyEnv };
    }
    if (gmail) throw badSource('googleKeyEnv', said('source.gmailNeedsKey'));
    if (!clientId) {
      if (graph) throw badSource('clientId', said('source.graphNeedsApp'));
      if (secretEnv || tenant || tokenUrl) throw badSource('clientId', said('source.appFieldsAlone'));
      return null;
    }
    if (!secretEnv) throw badSource('secretEnv', said('source.noSecretEnv'));
    if (Boolean(tenant) === Boolean(tokenUrl)) throw badSource('tenant', said('source.tenantOrTokenUrl'));
    try {
      if (tenant) microsoftTokenUrl(tenant);
      else tokenEndpointUrl(tokenUrl!);
    } catch {
      throw tenant
        ? badSource('tenant', said('source.badTenant', { tenant }))
        : badSource('tokenUrl', said('source.badTokenUrl', { url: tokenUrl! }));
    }
    return {
      clientId,
      secretEnv,
      ...(tenant ? { tenant } : {}),
      ...(tokenUrl ? { tokenUrl } : {}),
      ...(graphUrl ? { graphUrl } : {}),
    };
  };
  const sourceNotFound = (id: number) => notFound(said('source.notFound', { id }));
  /** Watchers follow a change at once rather than at their next periodic look. */
  const reconcile = async () => {
    await options.mailboxSources?.reconcile();
  };

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/imap-sources',
    summary:
      'Mailboxes reports are fetched from: IMAP, and Microsoft 365 through Microsoft Graph (passwords and secrets stay in the environment)',
    tag: 'settings',
    access: 'admin',
    response: z.object({ sources: z.array(sourceSchema) }),
    async handler() {
      const status = options.mailboxSources?.status();
      const sources = await accounts.listMailboxSources();
      return {
        sources: sources.map(({ app: signIn, ...s }) => {
          const entra = signIn && 'clientId' in signIn ? signIn : null;
          const fault = storedSourceFault({ ...s, app: signIn });
          return {
            ...s,
            service: isGmailUrl(s.url) ? 'gmail' : isGraphUrl(s.url) ? 'graph' : 'imap',
            clientId: entra?.clientId ?? null,
            secretEnv: entra?.secretEnv ?? null,
            tenant: entra?.tenant ?? null,
            tokenUrl: entra?.tokenUrl ?? null,
            graphUrl: entra?.graphUrl ?? null,
            googleKeyEnv: signIn && 'googleKeyEnv' in signIn ? signIn.googleKeyEnv : null,
            paused: s.pausedAt !== null,
            fault: fault && { field: fault.field, reason: fault.reason },
            status: status?.get(s.id) ?? null,
          };
        }),
      };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/imap-sources',
    summary:
      'Add a mailbox source: imaps://user@host/folder with the environment variable holding its password; graph://mailbox/folder (or an IMAP one on Microsoft 365) with the application it signs in as: clientId, secretEnv, and tenant or tokenUrl, and in a national cloud graphUrl, its Microsoft Graph base URL (https://graph.microsoft.us); or gmail://mailbox/label (or an IMAP one on Google Workspace) with googleKeyEnv, the variable holding a service account JSON key',
    tag: 'settings',
    access: 'admin',
    body: z.object({
      url: sourceFields.url,
      passwordEnv: sourceFields.passwordEnv.default('SUMI_IMAP_PASSWORD'),
      archive: sourceFields.archive.default(IMAP_DEFAULT_ARCHIVE),
      leaveOtherMail: sourceFields.leaveOtherMail.default(false),
      clientId: sourceFields.clientId.optional(),
      secretEnv: sourceFields.secretEnv.optional(),
      tenant: sourceFields.tenant.optional(),
      tokenUrl: sourceFields.tokenUrl.optional(),
      graphUrl: sourceFields.graphUrl.optional(),
      googleKeyEnv: sourceFields.googleKeyEnv.optional(),
    }),
    response: z.object({ id: z.number() }),
    async handler({ request, body, caller }) {
      const signIn = checkedSource(body);
      checkedArchive(body.url, body.archive);
      const { url, passwordEnv, archive, leaveOtherMail } = body;
      const id = await accounts
        .addMailboxSource({ url, passwordEnv, archive, leaveOtherMail, app: signIn })
        .catch((error: unknown) => accountError(error, { url }));
      await auditFor(accounts, request, caller)('imap.add', url);
      await reconcile();
      return { id };
    },
  });

  addRoute(app, registry, {
    method: 'PATCH',
    url: '/api/imap-sources/:id',
    summary:
      'Change a mailbox source (the fields given): its mailbox, password variable, application or service account (clientId or googleKeyEnv null: back to the password), Microsoft Graph URL (null: the global service), archive folder or handling of other mail; sumi serve restarts its watcher. paused: true pauses it (its settings kept, its watcher stopped once the mail being stored is moved, never connected), false resumes it',
    tag: 'settings',
    access: 'admin',
    params: idParams,
    body: z.object({
      url: sourceFields.url.optional(),
      passwordEnv: sourceFields.passwordEnv.optional(),
      archive: sourceFields.archive.optional(),
      leaveOtherMail: sourceFields.leaveOtherMail.optional(),
      clientId: sourceFields.clientId.nullable().optional(),
      secretEnv: sourceFields.secretEnv.optional(),
      tenant: sourceFields.tenant.optional(),
      tokenUrl: sourceFields.tokenUrl.optional(),
      graphUrl: sourceFields.graphUrl.nullable().optional(),
      googleKeyEnv: sourceFields.googleKeyEnv.nullable().optional(),
      paused: z.boolean().optional(),
    }),
    response: okResponse,
    async handler({ request, params, body, caller }) {
      const stored = (await accounts.listMailboxSources()).find((s) => s.id === params.id);
      if (!stored) throw sourceNotFound(params.id);
      const { paused, ...fields } = body;
      // A pause alone checks nothing: a source kept from before a rule that refuses it, failing
      // noisily, is paused as it is.
      const changing = Object.values(fields).some((value) => value !== undefined);
      // The source as it will be, checked whole: a change of one field may leave another wrong.
      const before = stored.app;
      const entra = before && 'clientId' in before ? before : null;
      const google = before && 'googleKeyEnv' in before ? before : null;
      const signing =
        body.clientId !== undefined ||
        body.googleKeyEnv !== undefined ||
        body.secretEnv ||
        body.tenant ||
        body.tokenUrl ||
        body.graphUrl !== undefined;
      // null for either takes the source back to its password; one kind given replaces the other.
      const merged: SourceFields =
        body.clientId === null || body.googleKeyEnv === null
          ? { url: body.url ?? stored.url }
          : body.googleKeyEnv || (google && !body.clientId)
            ? {
                url: body.url ?? stored.url,
                googleKeyEnv: body.googleKeyEnv ?? google?.googleKeyEnv,
                clientId: body.clientId,
                secretEnv: body.secretEnv,
                tenant: body.tenant,
                tokenUrl: body.tokenUrl,
                graphUrl: body.graphUrl,
              }
            : {
                url: body.url ?? stored.url,
                clientId: body.clientId ?? entra?.clientId,
                secretEnv: body.secretEnv ?? entra?.secretEnv,
                // A new tenant replaces a token endpoint, and the other way round.
                tenant: body.tenant ?? (body.tokenUrl ? undefined : entra?.tenant),
                tokenUrl: body.tokenUrl ?? (body.tenant ? undefined : entra?.tokenUrl),
                graphUrl: body.graphUrl === null ? undefined : (body.graphUrl ?? entra?.graphUrl),
              };
      const signIn = changing ? checkedSource(merged) : null;
      if (changing) checkedArchive(merged.url, body.archive ?? stored.archive);
      const { url, passwordEnv, archive, leaveOtherMail } = body;
      const found = await accounts
        .updateMailboxSource(params.id, {
          ...(url !== undefined ? { url } : {}),
          ...(passwordEnv !== undefined ? { passwordEnv } : {}),
          ...(archive !== undefined ? { archive } : {}),
          ...(leaveOtherMail !== undefined ? { leaveOtherMail } : {}),
          ...(signing ? { app: signIn } : {}),
          ...(paused !== undefined ? { paused } : {}),
        })
        .catch((error: unknown) => accountError(error, { url: url ?? '' }));
      if (!found) throw sourceNotFound(params.id);
      const audit = auditFor(accounts, request, caller);
      if (changing) await audit('imap.update', String(params.id), fields);
      // Who paused a source, and when, is the audit log's to say.
      if (paused !== undefined && paused !== (stored.pausedAt !== null))
        await audit(paused ? 'imap.pause' : 'imap.resume', String(params.id), { url: stored.url });
      await reconcile();
      return { ok: true };
    },
  });

  addRoute(app, registry, {
    method: 'DELETE',
    url: '/api/imap-sources/:id',
    summary: 'Remove a mailbox source',
    tag: 'settings',
    access: 'admin',
    params: idParams,
    response: okResponse,
    async handler({ request, params, caller }) {
      if (!(await accounts.removeMailboxSource(params.id))) throw sourceNotFound(params.id);
      await auditFor(accounts, request, caller)('imap.remove', String(params.id));
      await reconcile();
      return { ok: true };
    },
  });

  // ------------------------------------------------------------ retention

  const days = z.number().int().min(1).max(999_999).nullable();
  const retentionPolicy = z.object({
    /** Aggregate and SMTP TLS reports, by the end of their period. */
    reportsDays: days,
    /** Failure reports, by their mail's arrival. */
    failureReportsDays: days,
    /** Quarantined inputs, by when they were last seen. */
    quarantineDays: days,
  });
  const pruneTotals = z.object({
    aggregateReports: z.number(),
    records: z.number(),
    messages: z.number(),
    tlsReports: z.number(),
    failureReports: z.number(),
    quarantined: z.number(),
  });
  const retentionState = retentionPolicy.extend({
    updatedAt: z.number().nullable(),
    lastRun: z
      .object({ at: z.number(), deleted: pruneTotals.nullable(), error: z.string().nullable() })
      .nullable(),
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/retention',
    summary:
      'The retention policy (days each kind of report is kept; null: for ever) and how its last daily run went',
    tag: 'settings',
    access: 'admin',
    response: retentionState,
    handler: () => readRetention(store.db),
  });

  addRoute(app, registry, {
    method: 'PATCH',
    url: '/api/retention',
    summary:
      'Change the retention policy (the kinds given; null keeps a kind for ever): sumi serve applies it once a day, and at once when it changes',
    tag: 'settings',
    access: 'admin',
    body: retentionPolicy.partial(),
    response: retentionState,
    async handler({ request, body, caller }) {
      const { reportsDays, failureReportsDays, quarantineDays } = await readRetention(store.db);
      const policy = { reportsDays, failureReportsDays, quarantineDays, ...body };
      await writeRetentionPolicy(store.db, policy, Math.floor(Date.now() / 1000));
      await auditFor(accounts, request, caller)('retention.update', 'retention', policy);
      // Applied now rather than at the next hourly look; its outcome shows in the settings.
      options.retention?.check().catch(() => {});
      return readRetention(store.db);
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/retention/preview',
    summary: 'What a retention policy would delete now, counted without deleting anything',
    tag: 'settings',
    access: 'admin',
    body: retentionPolicy,
    response: pruneTotals,
    async handler({ body }) {
      const prune = pruneOptionsFor(body, Math.floor(Date.now() / 1000));
      return prune ? store.prune({ ...prune, dryRun: true }) : emptyPruneTotals();
    },
  });

  // ------------------------------------------------------------ audit log

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/audit',
    summary: 'The audit log: logins and every change, newest first',
    tag: 'settings',
    access: 'admin',
    query: z.object(pageQuery),
    async handler({ query }) {
      return { entries: await accounts.listAudit(query) };
    },
  });
}
