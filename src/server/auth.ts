/**
 * Who is calling: a session cookie (with a CSRF token on every state-changing request) or an
 * API token in `Authorization: Bearer`. Login, logout, me, and the one-time setup link.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccountError, type Accounts, type User } from '../auth/accounts.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password.ts';
import { serverText } from '../i18n/server.ts';
import { translator } from '../i18n/translate.ts';
import { ApiError, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute, type Caller, okResponse } from './route.ts';

export const SESSION_COOKIE = 'sumi_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sets `request.caller` on every /api request; refuses a session request without its CSRF token. */
export function registerCaller(app: FastifyInstance, accounts: Accounts): void {
  app.decorateRequest('caller', null);
  app.addHook('preHandler', async (request) => {
    request.caller = null;
    if (!request.url.startsWith('/api/')) return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const user = match ? await accounts.userForApiToken(match[1]!) : undefined;
      if (!user) throw new ApiError(401, 'unauthenticated');
      request.caller = { user, scope: await accounts.scope(user), via: 'token' };
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (!sessionId) return;
    const session = await accounts.session(sessionId);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) throw new ApiError(403, 'csrf');
    }
    request.caller = {
      user: session.user,
      scope: await accounts.scope(session.user),
      via: 'session',
      session: { id: sessionId, csrfToken: session.csrfToken },
    };
  });
}

const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: z.enum(['admin', 'analyst', 'viewer']),
});
const sessionResponse = z.object({ user: userSchema, csrfToken: z.string().nullable() });

export function publicUser(user: User) {
  return { id: user.id, username: user.username, role: user.role };
}

async function startSession(
  accounts: Accounts,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
): Promise<string> {
  // A session id the client had before logging in is never kept (no session fixation).
  const previous = request.cookies[SESSION_COOKIE];
  if (previous) await accounts.endSession(previous);
  const session = await accounts.createSession(user.id);
  reply.setCookie(SESSION_COOKIE, session.sessionId, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: session.expiresAt - accounts.now(),
  });
  return session.csrfToken;
}

/** An AccountError as the API's 400 (409 for a taken username or mailbox, or the last admin); anything else goes on. */
export function accountError(error: unknown, params: Record<string, string> = {}): never {
  if (error instanceof AccountError) {
    const conflict =
      error.code === 'username-taken' || error.code === 'last-admin' || error.code === 'source-taken';
    const status = conflict ? 409 : 400;
    throw new ApiError(status, error.code, { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH, ...params });
  }
  throw error;
}

export function registerAuthRoutes(app: FastifyInstance, registry: AnyRouteSpec[], accounts: Accounts): void {
  addRoute(app, registry, {
    method: 'POST',
    url: '/api/auth/login',
    summary: 'Log in: sets the sumi_session cookie (a new session each time) and returns the CSRF token',
    tag: 'auth',
    access: 'public',
    body: z.object({ username: z.string().max(256), password: z.string().max(4096) }),
    response: sessionResponse,
    async handler({ request, reply, body }) {
      const result = await accounts.login(body.username, body.password, request.ip);
      if (!result.ok) {
        await accounts.audit({
          userId: null,
          username: body.username.slice(0, 64),
          action: result.reason === 'locked' ? 'login.locked' : 'login.failed',
          ip: request.ip,
        });
        if (result.reason === 'locked') {
          reply.header('retry-after', String(result.retryAfter));
          throw new ApiError(429, 'login-locked', { minutes: Math.ceil(result.retryAfter / 60) });
        }
        throw new ApiError(401, 'login-failed');
      }
      const csrfToken = await startSession(accounts, request, reply, result.user);
      await accounts.audit({
        userId: result.user.id,
        username: result.user.username,
        action: 'login',
        ip: request.ip,
      });
      return { user: publicUser(result.user), csrfToken };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/auth/logout',
    summary: 'Log out: ends the session and clears the cookie',
    tag: 'auth',
    access: 'viewer',
    response: okResponse,
    async handler({ reply, caller }) {
      if (caller.session) await accounts.endSession(caller.session.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  });

  addRoute(app, registry, {
    method: 'GET',
    url: '/api/auth/me',
    summary: 'The logged-in user and the session CSRF token (null for API tokens); 401 when not logged in',
    tag: 'auth',
    access: 'viewer',
    response: sessionResponse,
    async handler({ caller }: { caller: Caller }) {
      return { user: publicUser(caller.user), csrfToken: caller.session?.csrfToken ?? null };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/auth/password',
    summary:
      'Change your own password (the current one is required): every session of yours ends; a browser session goes on under a new id and CSRF token, answered here',
    tag: 'auth',
    access: 'viewer',
    body: z.object({
      current: z.string().max(PASSWORD_MAX_LENGTH * 4),
      password: z.string().max(PASSWORD_MAX_LENGTH * 4),
    }),
    response: sessionResponse,
    async handler({ request, reply, body, caller }) {
      const user = caller.user;
      const result = await accounts
        .changePassword(user.id, body.current, body.password, request.ip)
        .catch(accountError);
      const audit = (action: string) =>
        accounts.audit({
          userId: user.id,
          username: user.username,
          action,
          target: user.username,
          ip: request.ip,
        });
      if (!result.ok) {
        await audit(result.reason === 'locked' ? 'password.locked' : 'password.wrong');
        if (result.reason === 'locked') {
          reply.header('retry-after', String(result.retryAfter));
          throw new ApiError(429, 'login-locked', { minutes: Math.ceil(result.retryAfter / 60) });
        }
        throw new ApiError(403, 'wrong-password');
      }
      await audit('password.change');
      // Every session ended with the change; the one that asked goes on under a new id.
      const csrfToken = caller.via === 'session' ? await startSession(accounts, request, reply, user) : null;
      return { user: publicUser(user), csrfToken };
    },
  });

  addRoute(app, registry, {
    method: 'POST',
    url: '/api/auth/setup',
    summary:
      'Set a password with a one-time setup link token and log in (JSON, or the /setup form: then a redirect to /)',
    tag: 'auth',
    access: 'public',
    body: z.object({ token: z.string().max(256), password: z.string().max(PASSWORD_MAX_LENGTH * 4) }),
    response: sessionResponse,
    async handler({ request, reply, body }) {
      const user = await accounts.useSetupToken(body.token, body.password).catch(accountError);
      const csrfToken = await startSession(accounts, request, reply, user);
      await accounts.audit({ userId: user.id, username: user.username, action: 'setup', ip: request.ip });
      if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        return reply.redirect('/', 303);
      }
      return { user: publicUser(user), csrfToken };
    },
  });

  // The page a setup link opens: plain HTML served from here, so it works before the web app is built.
  app.get('/setup', async (request, reply) => {
    const t = translator(serverText, requestLang(request));
    const token = String((request.query as { token?: unknown }).token ?? '');
    const valid = /^[A-Za-z0-9_-]{20,100}$/.test(token);
    const body = valid
      ? `<form method="post" action="/api/auth/setup">
<input type="hidden" name="token" value="${token}">
<label>${escapeHtml(t('setup.password', { min: PASSWORD_MIN_LENGTH }))}<br>
<input type="password" name="password" minlength="${PASSWORD_MIN_LENGTH}" autocomplete="new-password" required autofocus></label>
<p><button type="submit">${escapeHtml(t('setup.submit'))}</button></p>
</form>`
      : `<p>${escapeHtml(t('setup.invalid'))}</p>`;
    reply.type('text/html; charset=utf-8');
    return htmlPage(t('setup.title'), body);
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}input{font-size:1rem;padding:.4rem;width:100%}button{font-size:1rem;padding:.4rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
