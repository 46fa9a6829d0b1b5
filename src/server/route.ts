/**
 * One way to declare a route: zod schemas for params, query and body (validated here, so a
 * sort column or filter can only be one of the listed values), the least role allowed, and a
 * summary. The same declarations generate the OpenAPI document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role, User } from '../auth/accounts.ts';
import type { DomainScope } from '../auth/scope.ts';
import type { Lang } from '../i18n/lang.ts';
import { schemaCheckText } from '../i18n/server.ts';
import { ApiError, requestLang } from './errors.ts';

/** Who is asking: set by the auth hook for every /api request that carries a valid credential. */
export interface Caller {
  user: User;
  scope: DomainScope;
  via: 'session' | 'token';
  /** The session's id and CSRF token, when logged in through the cookie. */
  session?: { id: string; csrfToken: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface RouteSpec<P, Q, B> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  /** The least role allowed; `public` needs no login. */
  access: 'public' | Role;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * Whether the route changes what analysis answers say (sender marks, the inventory, new
   * reports): the answers kept are dropped once it succeeds. Logins and account changes keep them.
   */
  changesAnalysis?: boolean;
  /** Multipart body (uploads): parsed by the handler. */
  multipart?: boolean;
  /** The 200 answer, for the OpenAPI document. */
  response?: z.ZodType;
  /** Media type of the answer when not JSON. */
  produces?: string;
  handler(input: {
    request: FastifyRequest;
    reply: FastifyReply;
    params: P;
    query: Q;
    body: B;
    caller: Caller;
  }): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape.
export type AnyRouteSpec = RouteSpec<any, any, any>;

/** zod's Japanese words, for a request in Japanese (its English are its default). */
const JAPANESE_CHECKS = { error: z.locales.ja().localeError };
/** Sumi's own check words (schemaCheckText), from the English a schema gives to Japanese. */
const OWN_CHECKS_IN_JAPANESE = new Map<string, string>(
  Object.values(schemaCheckText).map((words) => [words.en, words.ja]),
);

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string, lang: Lang): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {}, lang === 'ja' ? JAPANESE_CHECKS : undefined);
  if (!result.success) {
    const said = (message: string) =>
      lang === 'ja' ? (OWN_CHECKS_IN_JAPANESE.get(message) ?? message) : message;
    const details = result.error.issues
      .map((i) => `${where}${i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${said(i.message)}`)
      .join('; ');
    throw new ApiError(400, 'bad-request', { details });
  }
  return result.data;
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

/** Registers the route on the app and in `registry` (for the OpenAPI document). */
export function addRoute<P, Q, B>(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  spec: RouteSpec<P, Q, B>,
): void {
  registry.push(spec as AnyRouteSpec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      const caller = request.caller;
      if (spec.access !== 'public') {
        if (!caller) throw new ApiError(401, 'unauthenticated');
        if (ROLE_RANK[caller.user.role] < ROLE_RANK[spec.access]) {
          throw new ApiError(403, 'forbidden', { role: caller.user.role });
        }
      }
      const lang = requestLang(request);
      const params = parse(spec.params, request.params, 'params', lang);
      const query = parse(spec.query, request.query, 'query', lang);
      const body = spec.multipart ? (undefined as B) : parse(spec.body, request.body, 'body', lang);
      const result = await spec.handler({ request, reply, params, query, body, caller: caller as Caller });
      return result;
    },
  });
}

// ------------------------------------------------------------ shared schemas

/** `30d`: a number of days back from now, 1 to 3650. */
export const sinceSchema = z
  .string()
  .regex(/^\d{1,4}d$/, schemaCheckText.days.en)
  .transform((v) => Number(v.slice(0, -1)))
  .refine((days) => days >= 1 && days <= 3650, schemaCheckText.daysRange.en)
  .default(30);

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const domainParams = z.object({
  domain: z
    .string()
    .min(1)
    .max(253)
    .transform((d) => d.toLowerCase().replace(/\.$/, '')),
});

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

export const okResponse = z.object({ ok: z.literal(true) });
