/**
 * Accounts over the store: users and their domain access, sessions, API tokens, the one-time
 * setup link, the login lockout, the audit log, domain groups and mailbox sources.
 * Secrets leave here once, in clear, and are kept only as hashes.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { mailboxKey } from '../ingest/mailbox-key.ts';
import type { SourceApp } from '../ingest/sources.ts';
import type { Database, Role } from '../store/schema.ts';
import {
  decoyHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from './password.ts';
import { type DomainScope, EVERY_DOMAIN } from './scope.ts';
import { newApiToken, newSecret, secretHash } from './secrets.ts';

export const ROLES = ['admin', 'analyst', 'viewer'] as const satisfies readonly Role[];
export type { Role };

/** What each role may do beyond reading. */
const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** How long a session lasts after login. */
export const SESSION_SECONDS = 12 * 3600;
/** An API token's last use is kept to this precision (seconds). */
export const TOKEN_USE_RESOLUTION_SECONDS = 60;
/** How long a setup link works. */
export const SETUP_LINK_SECONDS = 24 * 3600;
/** Failed logins for one username, within the window, before it is locked. */
export const LOGIN_MAX_FAILURES_PER_USER = 5;
/** Failed logins from one address, within the window, before it is locked (any usernames). */
export const LOGIN_MAX_FAILURES_PER_IP = 30;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const LOGIN_LOCK_SECONDS = 15 * 60;

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export interface User {
  id: number;
  username: string;
  role: Role;
  allDomains: boolean;
  domains: string[];
  groups: string[];
}

/** Why an account operation was refused; `code` keys the words in i18n/server.ts. */
export class AccountError extends Error {
  constructor(
    readonly code:
      | 'bad-username'
      | 'username-taken'
      | 'bad-password'
      | 'bad-role'
      | 'last-admin'
      | 'setup-link-invalid'
      | 'bad-domain'
      | 'source-taken',
    message: string,
  ) {
    super(message);
  }
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfter: number };

export interface NewUser {
  username: string;
  /** Null: no password yet (set through a setup link). */
  password: string | null;
  role: Role;
  allDomains?: boolean;
  domains?: readonly string[];
  groups?: readonly string[];
}

export interface AuditEntry {
  userId: number | null;
  username: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

export function normaliseUsername(name: string): string {
  const username = name.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw new AccountError(
      'bad-username',
      `username "${name}": 1-64 of a-z 0-9 . _ @ -, starting with a letter or digit`,
    );
  }
  return username;
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new AccountError(
      'bad-password',
      `password: ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, got ${password.length}`,
    );
  }
}

/** A user's columns and grants, read with a left join of user_access (a row per grant). */
const USER_COLUMNS = ['u.id', 'u.username', 'u.role', 'u.all_domains', 'a.kind', 'a.name'] as const;

/** The user of rows read with USER_COLUMNS (all of one user), or undefined for none. */
function userOfRows(
  rows: readonly {
    id: number;
    username: string;
    role: Role;
    all_domains: number;
    kind: 'domain' | 'group' | null;
    name: string | null;
  }[],
): User | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    id: first.id,
    username: first.username,
    role: first.role,
    allDomains: first.role === 'admin' || first.all_domains === 1,
    domains: rows.filter((r) => r.kind === 'domain').map((r) => r.name!),
    groups: rows.filter((r) => r.kind === 'group').map((r) => r.name!),
  };
}

export class Accounts {
  constructor(
    readonly db: Kysely<Database>,
    /** Seconds since the epoch (a test moves it to expire sessions and locks). */
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  // ------------------------------------------------------------ users

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createUser(input: NewUser): Promise<User> {
    const username = normaliseUsername(input.username);
    if (!ROLES.includes(input.role))
      throw new AccountError('bad-role', `role "${input.role}": admin, analyst or viewer`);
    if (input.password !== null) checkPassword(input.password);
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    const existing = await this.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (existing) throw new AccountError('username-taken', `user "${username}" exists already`);
    const id = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('users')
        .values({
          username,
          password_hash: passwordHash,
          role: input.role,
          all_domains: input.allDomains ? 1 : 0,
          created_at: this.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const access: { user_id: number; kind: 'domain' | 'group'; name: string }[] = [];
      for (const name of new Set((input.domains ?? []).map((d) => d.toLowerCase()))) {
        access.push({ user_id: row.id, kind: 'domain', name });
      }
      for (const name of new Set(input.groups ?? [])) access.push({ user_id: row.id, kind: 'group', name });
      if (access.length > 0) await trx.insertInto('user_access').values(access).execute();
      return row.id;
    });
    return (await this.getUser(id))!;
  }

  /**
   * The admin still waiting for its first password when no admin has one (the first run's
   * setup link expired or was lost): the server gives it a new link.
   */
  async adminAwaitingSetup(): Promise<User | undefined> {
    const admins = await this.db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where('role', '=', 'admin')
      .orderBy('id')
      .execute();
    if (admins.some((a) => a.password_hash !== null)) return undefined;
    const first = admins[0];
    return first ? this.getUser(first.id) : undefined;
  }

  async getUser(id: number): Promise<User | undefined> {
    return (await this.#users(id))[0];
  }

  async listUsers(): Promise<User[]> {
    return this.#users();
  }

  async #users(id?: number): Promise<User[]> {
    let query = this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'all_domains'])
      .orderBy('username');
    if (id !== undefined) query = query.where('id', '=', id);
    const rows = await query.execute();
    if (rows.length === 0) return [];
    let access = this.db.selectFrom('user_access').select(['user_id', 'kind', 'name']).orderBy('name');
    if (id !== undefined) access = access.where('user_id', '=', id);
    const grants = await access.execute();
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      role: row.role,
      allDomains: row.role === 'admin' || row.all_domains === 1,
      domains: grants.filter((g) => g.user_id === row.id && g.kind === 'domain').map((g) => g.name),
      groups: grants.filter((g) => g.user_id === row.id && g.kind === 'group').map((g) => g.name),
    }));
  }

  /** Deletes a user, their sessions and tokens; the last admin cannot be deleted. */
  async deleteUser(id: number): Promise<boolean> {
    return this.#withAdmins(async (trx, admins) => {
      const user = await trx.selectFrom('users').select('role').where('id', '=', id).executeTakeFirst();
      if (!user) return false;
      if (user.role === 'admin') notLastAdmin(admins);
      await trx.deleteFrom('users').where('id', '=', id).execute();
      return true;
    });
  }

  /**
   * Changes a user's role or what they may see (those given; `domains` and `groups` replace the
   * user's). Sessions and tokens go on, with the new rights from their next request: each request
   * reads the user again. The last admin keeps the role. Undefined when there is no such user.
   */
  async updateUser(
    id: number,
    changes: { role?: Role; allDomains?: boolean; domains?: readonly string[]; groups?: readonly string[] },
  ): Promise<User | undefined> {
    if (changes.role !== undefined && !ROLES.includes(changes.role))
      throw new AccountError('bad-role', `role "${changes.role}": admin, analyst or viewer`);
    const found = await this.#withAdmins(async (trx, admins) => {
      const user = await trx.selectFrom('users').select('role').where('id', '=', id).executeTakeFirst();
      if (!user) return false;
      if (user.role === 'admin' && changes.role !== undefined && changes.role !== 'admin')
        notLastAdmin(admins);
      const values = {
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(changes.allDomains !== undefined ? { all_domains: changes.allDomains ? 1 : 0 } : {}),
      };
      if (Object.keys(values).length > 0)
        await trx.updateTable('users').set(values).where('id', '=', id).execute();
      for (const [kind, names] of [
        ['domain', changes.domains?.map((d) => d.toLowerCase())],
        ['group', changes.groups],
      ] as const) {
        if (names === undefined) continue;
        await trx.deleteFrom('user_access').where('user_id', '=', id).where('kind', '=', kind).execute();
        const rows = [...new Set(names)].map((name) => ({ user_id: id, kind, name }));
        if (rows.length > 0) await trx.insertInto('user_access').values(rows).execute();
      }
      return true;
    });
    return found ? this.getUser(id) : undefined;
  }

  /**
   * A change that may take the admin role away, read and written in one transaction with the
   * admins' rows locked first: two admins demoting each other at once each counted two admins
   * before either changed, and none was left. On PostgreSQL the second waits for the first's rows
   * and then finds the admins that are left. READ COMMITTED, not serializable: each statement
   * reads the rows as they are then, so a change that waited for a newer Sumi's migration
   * (newer-guard.ts) sees it, where a serializable one read the store as it was when it began.
   * SQLite runs one writing transaction at a time.
   */
  async #withAdmins<T>(change: (trx: Kysely<Database>, admins: readonly number[]) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => change(trx, await lockAdmins(trx)));
      } catch (error) {
        if (attempt >= ADMIN_CHANGE_ATTEMPTS || !lostToConcurrentChange(error)) throw error;
      }
    }
  }

  /** Sets a password and ends every session of the user (a changed password logs everyone out). */
  async setPassword(userId: number, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  }

  /**
   * A user's own change of password: the current one must match, and wrong guesses count
   * toward the username's login lockout (a session left open cannot be used to try passwords
   * without limit). The new password is checked first, so a too-short one costs no guess.
   * Every session of the user ends, as with setPassword.
   */
  async changePassword(
    userId: number,
    current: string,
    password: string,
    ip: string,
  ): Promise<{ ok: true } | Exclude<LoginResult, { ok: true }>> {
    checkPassword(password);
    const row = await this.db
      .selectFrom('users')
      .select(['username', 'password_hash'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'invalid' };
    const key = `user:${row.username}`;
    const now = this.now();
    const lock = await this.db
      .selectFrom('login_failures')
      .select('locked_until')
      .where('key', '=', key)
      .where('locked_until', '>', now)
      .executeTakeFirst();
    if (lock) return { ok: false, reason: 'locked', retryAfter: lock.locked_until - now };
    const matches =
      current.length <= PASSWORD_MAX_LENGTH &&
      (await verifyPassword(current, row.password_hash ?? (await decoyHash())));
    if (!row.password_hash || !matches) {
      await this.#countFailure(key, LOGIN_MAX_FAILURES_PER_USER, now);
      await this.#countFailure(`ip:${ip}`, LOGIN_MAX_FAILURES_PER_IP, now);
      return { ok: false, reason: 'invalid' };
    }
    await this.db.deleteFrom('login_failures').where('key', '=', key).execute();
    await this.setPassword(userId, password);
    return { ok: true };
  }

  /** The domains a user may see. */
  async scope(user: User): Promise<DomainScope> {
    if (user.allDomains) return EVERY_DOMAIN;
    const grouped =
      user.groups.length === 0
        ? []
        : await this.db
            .selectFrom('domain_groups')
            .select('domain')
            .where('group_name', 'in', user.groups)
            .execute();
    return { all: false, domains: [...new Set([...user.domains, ...grouped.map((r) => r.domain)])] };
  }

  // ------------------------------------------------------------ login and sessions

  /**
   * Checks a password. Locked after LOGIN_MAX_FAILURES_PER_USER failures for a username or
   * LOGIN_MAX_FAILURES_PER_IP from an address within the window; an unknown username costs
   * the same time as a known one and counts the same, so neither tells which names exist.
   */
  async login(usernameInput: string, password: string, ip: string): Promise<LoginResult> {
    const username = usernameInput.trim().toLowerCase();
    const keys = [`user:${username}`, `ip:${ip}`];
    const now = this.now();
    const locks = await this.db
      .selectFrom('login_failures')
      .select(['key', 'locked_until'])
      .where('key', 'in', keys)
      .where('locked_until', '>', now)
      .execute();
    if (locks.length > 0) {
      return { ok: false, reason: 'locked', retryAfter: Math.max(...locks.map((l) => l.locked_until)) - now };
    }
    const row =
      password.length > PASSWORD_MAX_LENGTH
        ? undefined
        : await this.db
            .selectFrom('users')
            .select(['id', 'password_hash'])
            .where('username', '=', username)
            .executeTakeFirst();
    const matches = await verifyPassword(
      password.slice(0, PASSWORD_MAX_LENGTH),
      row?.password_hash ?? (await decoyHash()),
    );
    if (row?.password_hash && matches) {
      await this.db.deleteFrom('login_failures').where('key', '=', keys[0]!).execute();
      return { ok: true, user: (await this.getUser(row.id))! };
    }
    await this.#countFailure(keys[0]!, LOGIN_MAX_FAILURES_PER_USER, now);
    await this.#countFailure(keys[1]!, LOGIN_MAX_FAILURES_PER_IP, now);
    return { ok: false, reason: 'invalid' };
  }

  async #countFailure(key: string, max: number, now: number): Promise<void> {
    const row = await this.db
      .selectFrom('login_failures')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    const fresh = !row || now - row.first_failed_at >= LOGIN_WINDOW_SECONDS;
    const failures = fresh ? 1 : row.failures + 1;
    const values = {
      failures,
      first_failed_at: fresh ? now : row.first_failed_at,
      locked_until: failures >= max ? now + LOGIN_LOCK_SECONDS : 0,
    };
    await this.db
      .insertInto('login_failures')
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values))
      .execute();
  }

  /** A new session (always a new id: a session id known before login is never reused). */
  async createSession(userId: number): Promise<{ sessionId: string; csrfToken: string; expiresAt: number }> {
    const sessionId = newSecret();
    const csrfToken = newSecret();
    const now = this.now();
    const expiresAt = now + SESSION_SECONDS;
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: secretHash(sessionId),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    // Expired sessions go when new ones come, so the table never grows without bound.
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    return { sessionId, csrfToken, expiresAt };
  }

  /** The session's user and CSRF token: one query, as every request of a browser asks it. */
  async session(sessionId: string): Promise<{ user: User; csrfToken: string } | undefined> {
    const rows = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('user_access as a', 'a.user_id', 'u.id')
      .select(['s.csrf_token', ...USER_COLUMNS])
      .where('s.id_hash', '=', secretHash(sessionId))
      .where('s.expires_at', '>', this.now())
      .orderBy('a.name')
      .execute();
    const user = userOfRows(rows);
    return user ? { user, csrfToken: rows[0]!.csrf_token } : undefined;
  }

  async endSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', secretHash(sessionId)).execute();
  }

  // ------------------------------------------------------------ setup links

  /** A one-time link secret letting `userId` set a password; an earlier unused one stops working. */
  async createSetupToken(
    userId: number,
    seconds = SETUP_LINK_SECONDS,
  ): Promise<{ token: string; expiresAt: number }> {
    const token = newSecret();
    const expiresAt = this.now() + seconds;
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('setup_tokens').where('user_id', '=', userId).execute();
      await trx
        .insertInto('setup_tokens')
        .values({ token_hash: secretHash(token), user_id: userId, expires_at: expiresAt })
        .execute();
    });
    return { token, expiresAt };
  }

  /** Sets the password of the link's user and spends the link. */
  async useSetupToken(token: string, password: string): Promise<User> {
    checkPassword(password);
    const row = await this.db
      .selectFrom('setup_tokens')
      .select(['user_id', 'expires_at'])
      .where('token_hash', '=', secretHash(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.now()) {
      throw new AccountError('setup-link-invalid', 'this setup link is unknown, used or expired');
    }
    const spent = await this.db
      .deleteFrom('setup_tokens')
      .where('token_hash', '=', secretHash(token))
      .executeTakeFirst();
    // Two requests with one link: only the one that deleted it goes on.
    if (Number(spent.numDeletedRows) !== 1)
      throw new AccountError('setup-link-invalid', 'this setup link was used');
    await this.setPassword(row.user_id, password);
    return (await this.getUser(row.user_id))!;
  }

  // ------------------------------------------------------------ API tokens

  async createApiToken(userId: number, name: string): Promise<{ id: number; token: string; prefix: string }> {
    const token = newApiToken();
    const prefix = token.slice(0, 12);
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name,
        token_hash: secretHash(token),
        prefix,
        created_at: this.now(),
        last_used_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, token, prefix };
  }

  async listApiTokens(userId?: number) {
    let query = this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.prefix',
        'api_tokens.created_at',
        'api_tokens.last_used_at',
        'users.username',
      ])
      .orderBy('api_tokens.id');
    if (userId !== undefined) query = query.where('api_tokens.user_id', '=', userId);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      username: r.username,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  async deleteApiToken(id: number, userId?: number): Promise<boolean> {
    let query = this.db.deleteFrom('api_tokens').where('id', '=', id);
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The token's user: one query, as every request of a script asks it. */
  async userForApiToken(token: string): Promise<User | undefined> {
    const rows = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .leftJoin('user_access as a', 'a.user_id', 'u.id')
      .select(['t.id as token_id', 't.last_used_at', ...USER_COLUMNS])
      .where('t.token_hash', '=', secretHash(token))
      .orderBy('a.name')
      .execute();
    const row = rows[0];
    if (!row) return undefined;
    // A write per request would make a busy API client queue on SQLite's one writer.
    const now = this.now();
    if (row.last_used_at === null || now - row.last_used_at >= TOKEN_USE_RESOLUTION_SECONDS) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('id', '=', row.token_id)
        .execute();
    }
    return userOfRows(rows);
  }

  // ------------------------------------------------------------ audit log

  async audit(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: this.now(),
        user_id: entry.userId,
        username: entry.username,
        action: entry.action,
        target: entry.target ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
        ip: entry.ip ?? null,
      })
      .execute();
  }

  async listAudit(options: { limit: number; offset: number }) {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(options.limit)
      .offset(options.offset)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      userId: r.user_id,
      username: r.username,
      action: r.action,
      target: r.target,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
      ip: r.ip,
    }));
  }

  // ------------------------------------------------------------ domain groups

  /** Every group's domains, by group. */
  async domainGroups(): Promise<Map<string, string[]>> {
    const rows = await this.db
      .selectFrom('domain_groups')
      .selectAll()
      .orderBy('group_name')
      .orderBy('domain')
      .execute();
    const groups = new Map<string, string[]>();
    for (const row of rows) groups.set(row.group_name, [...(groups.get(row.group_name) ?? []), row.domain]);
    return groups;
  }

  /** The groups a domain is in. */
  async groupsOf(domain: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('domain_groups')
      .select('group_name')
      .where('domain', '=', domain)
      .execute();
    return rows.map((r) => r.group_name).sort();
  }

  /** Puts a domain in exactly these groups. */
  async setDomainGroups(domain: string, groups: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('domain_groups').where('domain', '=', domain).execute();
      const rows = [...new Set(groups)].map((group_name) => ({ group_name, domain }));
      if (rows.length > 0) await trx.insertInto('domain_groups').values(rows).execute();
    });
  }

  // ------------------------------------------------------------ mailbox sources

  /** The mailboxes `sumi serve` fetches reports from (IMAP, Microsoft Graph), oldest first. */
  async listMailboxSources() {
    const rows = await this.db.selectFrom('imap_sources').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      passwordEnv: r.password_env,
      archive: r.archive,
      leaveOtherMail: r.leave_other_mail === 1,
      app: sourceApp(r.app),
      createdAt: r.created_at,
      pausedAt: r.paused_at,
    }));
  }

  async addMailboxSource(source: {
    url: string;
    passwordEnv: string;
    archive: string;
    leaveOtherMail?: boolean;
    app?: SourceApp | null;
  }): Promise<number> {
    await this.#sourceUrlFree(source.url);
    const row = await this.db
      .insertInto('imap_sources')
      .values({
        url: source.url,
        password_env: source.passwordEnv,
        archive: source.archive,
        leave_other_mail: source.leaveOtherMail ? 1 : 0,
        app: source.app ? JSON.stringify(source.app) : null,
        created_at: this.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Changes a source's mailbox, password variable, application (null: back to the password),
   * archive folder or handling of other mail, or pauses or resumes it (those given); false when
   * there is no such source. The watcher of `sumi serve` restarts it, or stops it while paused.
   * A source paused again keeps the time it was first paused at.
   */
  async updateMailboxSource(
    id: number,
    changes: {
      url?: string;
      passwordEnv?: string;
      archive?: string;
      leaveOtherMail?: boolean;
      app?: SourceApp | null;
      paused?: boolean;
    },
  ): Promise<boolean> {
    if (changes.url !== undefined) await this.#sourceUrlFree(changes.url, id);
    const values = {
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.passwordEnv !== undefined ? { password_env: changes.passwordEnv } : {}),
      ...(changes.archive !== undefined ? { archive: changes.archive } : {}),
      ...(changes.leaveOtherMail !== undefined ? { leave_other_mail: changes.leaveOtherMail ? 1 : 0 } : {}),
      ...(changes.app !== undefined ? { app: changes.app ? JSON.stringify(changes.app) : null } : {}),
      ...(changes.paused !== undefined
        ? { paused_at: changes.paused ? sql<number>`coalesce(paused_at, ${this.now()})` : null }
        : {}),
    };
    const query =
      Object.keys(values).length === 0
        ? this.db.selectFrom('imap_sources').select('id').where('id', '=', id)
        : this.db.updateTable('imap_sources').set(values).where('id', '=', id).returning('id');
    return (await query.executeTakeFirst()) !== undefined;
  }

  /**
   * A mailbox folder is one source: two would fetch and move the same mail. Compared by what the
   * URLs read (mailboxKey), not as written: `.../Reports/` or `IMAPS://.../%52eports` is `.../Reports`.
   */
  async #sourceUrlFree(url: string, except?: number): Promise<void> {
    const key = mailboxKey(url);
    const sources = await this.db.selectFrom('imap_sources').select(['id', 'url']).execute();
    const taken = sources.find((source) => source.id !== except && mailboxKey(source.url) === key);
    if (taken) throw new AccountError('source-taken', `${url} is a mailbox source already (${taken.url})`);
  }

  async removeMailboxSource(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('imap_sources').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/** imap_sources.app read back; null for a password source (or a value no version wrote). */
function sourceApp(text: string | null): SourceApp | null {
  if (text === null) return null;
  const app = JSON.parse(text) as Record<string, unknown>;
  if (typeof app.googleKeyEnv === 'string') return { googleKeyEnv: app.googleKeyEnv };
  if (typeof app.clientId !== 'string' || typeof app.secretEnv !== 'string') return null;
  return {
    clientId: app.clientId,
    secretEnv: app.secretEnv,
    ...(typeof app.tenant === 'string' ? { tenant: app.tenant } : {}),
    ...(typeof app.tokenUrl === 'string' ? { tokenUrl: app.tokenUrl } : {}),
    ...(typeof app.graphUrl === 'string' ? { graphUrl: app.graphUrl } : {}),
  };
}

/** Runs of a change that may take the admin role away, against concurrent ones (#withAdmins). */
const ADMIN_CHANGE_ATTEMPTS = 5;

/** The admins' ids, their rows locked until the transaction ends on PostgreSQL (in id order: no deadlock). */
async function lockAdmins(trx: Kysely<Database>): Promise<number[]> {
  const query = trx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id');
  const locking = trx.getExecutor().adapter instanceof PostgresAdapter ? query.forUpdate() : query;
  return (await locking.execute()).map((row) => row.id);
}

/** Refuses to take the admin role from the only admin there is (deleting it, or changing its role). */
function notLastAdmin(admins: readonly number[]): void {
  if (admins.length <= 1)
    throw new AccountError('last-admin', 'the last admin cannot be deleted nor lose the role');
}

/**
 * A transaction that lost to a concurrent one and may be run again: PostgreSQL's
 * deadlock_detected (a user's other rows, sessions and tokens, locked in another order), SQLite's
 * snapshot gone stale (another connection wrote after this one read).
 */
function lostToConcurrentChange(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === 'SQLITE_BUSY_SNAPSHOT';
}
