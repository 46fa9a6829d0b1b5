/** API errors: a status, a stable code and words in the client's language. */
import type { FastifyRequest } from 'fastify';
import type { UiCatalog } from '../i18n/catalog.ts';
import type { Lang } from '../i18n/lang.ts';
import { serverText } from '../i18n/server.ts';
import { translate } from '../i18n/translate.ts';

export type ErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'login-failed'
  | 'login-locked'
  | 'wrong-password'
  | 'not-found'
  | 'bad-request'
  | 'bad-upload'
  | 'upload-too-large'
  | 'upload-too-many-files'
  | 'upload-too-many-fields'
  | 'bad-multipart'
  | 'unsupported-media-type'
  | 'no-files'
  | 'bad-username'
  | 'username-taken'
  | 'bad-password'
  | 'bad-role'
  | 'last-admin'
  | 'setup-link-invalid'
  | 'bad-domain'
  | 'source-taken'
  | 'store-unavailable'
  | 'tlsrpt-not-tls'
  | 'tlsrpt-no-report'
  | 'tlsrpt-domain'
  | 'tlsrpt-unreadable'
  | 'tlsrpt-too-large'
  | 'tlsrpt-rate-limited'
  | 'internal';

/** A value Sumi words itself, said in each language; the answer takes the client's. */
export type SaidInBoth = Readonly<Record<Lang, string>>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly params: Record<string, string | number | SaidInBoth> = {},
  ) {
    super(code);
  }
}

/** Words of `catalog` in each language, for an ApiError's params. */
export function inBoth<C extends UiCatalog>(
  catalog: C,
  key: keyof C & string,
  values?: Record<string, string | number>,
): SaidInBoth {
  return { en: translate(catalog, key, 'en', values), ja: translate(catalog, key, 'ja', values) };
}

/**
 * 404 for anything the user may not see as for what does not exist: the two look the same. `what`
 * in Sumi's own words is said in the client's language.
 */
export function notFound(what: string | SaidInBoth): ApiError {
  return new ApiError(404, 'not-found', { what });
}

/** The client's language: `?lang=`, else Accept-Language (first of en/ja named), else English. */
export function requestLang(request: FastifyRequest): Lang {
  const query = request.query as { lang?: unknown } | undefined;
  if (query?.lang === 'ja' || query?.lang === 'en') return query.lang;
  const header = request.headers['accept-language'] ?? '';
  for (const part of header.split(',')) {
    const tag = part.trim().toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export function errorBody(error: ApiError, lang: Lang) {
  const params = Object.fromEntries(
    Object.entries(error.params).map(([name, value]) => [
      name,
      typeof value === 'object' ? value[lang] : value,
    ]),
  );
  return {
    error: { code: error.code, message: translate(serverText, `error.${error.code}`, lang, params) },
  };
}
