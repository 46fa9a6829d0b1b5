/**
 * OAuth 2.0 access tokens Sumi gets itself with the client credentials grant (RFC 6749 §4.4): an
 * application (a Microsoft Entra ID app registration) logs in with its id and secret, so that a
 * daemon reading a Microsoft 365 mailbox through Graph or IMAP needs no `az` CLI, nor a token file
 * another process keeps fresh. A token source like imapAccessToken's: the Graph client keeps its
 * token until a 401 and IMAP asks at each connection, so every call asks the endpoint afresh.
 *
 * A Google Workspace mailbox is read the same way with a service account's key and domain-wide
 * delegation: the JWT bearer grant (RFC 7523 §2.1), a JWT signed with the key asking for a token
 * that acts as the mailbox's user, so that no `gcloud` is needed either.
 *
 * node:https only, with a time limit and a size cap on the answer; the secret (or the private key
 * and the JWT it signed) goes into the request's body and nowhere else: not into the TokenError's
 * source, and hidden should the endpoint's answer quote it.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import https from 'node:https';
import { ingestText } from '../i18n/ingest.ts';
import { translator } from '../i18n/translate.ts';
import { isTlsFailure, isUnreachable, networkMessage, tlsReason } from '../net/errors.ts';
import { TokenError, type TokenReason, type TokenSource } from './imap-account.ts';

/** Microsoft Graph's scope for an application's own permissions (Mail.ReadWrite). */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Exchange Online's, for IMAP's XOAUTH2 as the application (IMAP.AccessAsApp). */
export const OUTLOOK_SCOPE = 'https://outlook.office365.com/.default';
/** Microsoft Entra ID's global authority; national clouds have their own (login.microsoftonline.us). */
export const MICROSOFT_AUTHORITY = 'https://login.microsoftonline.com';
/** How long a token request may take, answer included. */
export const OAUTH_TIMEOUT_MS = 30_000;
/** Largest answer read: a token is a few kilobytes. */
export const OAUTH_MAX_ANSWER_BYTES = 256 * 1024;
/** Longest error_description quoted (its first line: Entra's next ones are trace and correlation ids). */
const DESCRIPTION_MAX_CHARS = 300;

export interface ClientCredentials {
  /** The token endpoint: https:// only. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** What the token is for: `${resource}/.default` asks for the application's granted permissions. */
  scope: string;
}

export interface ClientCredentialsOptions {
  /** Trust these CA certificates (PEM) instead of the system's: tests, a TLS-inspecting proxy. */
  ca?: string | Buffer;
  /** Time limit of a request (default OAUTH_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Size cap of an answer (default OAUTH_MAX_ANSWER_BYTES). */
  maxBytes?: number;
  /** Ends a request under way; the calls waiting on it reject with the signal's reason. */
  signal?: AbortSignal;
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Microsoft Entra ID's token endpoint (v2.0) of a tenant: its id (a GUID) or one of its domain
 * names (contoso.onmicrosoft.com). Throws RangeError on anything else, `common` and `organizations`
 * included: an application logs in to its own tenant.
 */
export function microsoftTokenUrl(tenant: string, authority = MICROSOFT_AUTHORITY): string {
  if (!TENANT_ID.test(tenant) && !DOMAIN_NAME.test(tenant))
    throw new RangeError(`not a tenant id or domain name: ${JSON.stringify(tenant)}`);
  return `${authority.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

/** The scope of Microsoft Graph at a base URL (a national cloud's): its origin's `/.default`. */
export function graphScope(graphUrl?: string): string {
  return graphUrl === undefined ? GRAPH_SCOPE : `${new URL(graphUrl).origin}/.default`;
}

/**
 * A function giving an access token from the token endpoint, asked afresh at each call (calls
 * made while a request is under way share it). Throws RangeError at once for a token URL that is
 * not https:// (or names a user) and for a missing id or secret; the function rejects with a
 * TokenError saying why no token came: the endpoint not reached, TLS, no answer in time, an HTTP
 * error (with the endpoint's `error` and the first line of its `error_description`), an answer
 * that is not JSON, has no access_token or is too large.
 */
export function clientCredentialsToken(
  credentials: ClientCredentials,
  options: ClientCredentialsOptions = {},
): () => Promise<string> {
  const { clientId, clientSecret, scope } = credentials;
  const url = tokenEndpointUrl(credentials.tokenUrl);
  if (!clientId || !clientSecret) throw new RangeError('client credentials need a client id and a secret');
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope,
  }).toString();
  return tokenRequester({
    url,
    body: () => body,
    source: { clientCredentials: { tokenUrl: url.href, clientId } },
    hide: (text) => text.split(clientSecret).join('[client secret]'),
    ...requestLimits(options),
  });
}

/**
 * A token source whose credential (a client secret, a service account's key file) is read again
 * at each request, so that one a secret store rotates in place (a mounted Kubernetes secret, a
 * file a renewal job rewrites) is taken up by a long watch without a restart. `make` gives the
 * token source for a credential, made anew when the credential read changed; a read that fails,
 * or a credential `make` refuses, keeps the last good one, whose requests then say whether it
 * still works.
 */
export function rereadingCredential(
  read: () => Promise<string>,
  first: string,
  make: (credential: string) => () => Promise<string>,
): () => Promise<string> {
  let current = { credential: first, token: make(first) };
  return async () => {
    const credential = await read().catch(() => current.credential);
    if (credential !== current.credential) {
      try {
        current = { credential, token: make(credential) };
      } catch {
        // Half written, or not a credential: the last good one goes on.
      }
    }
    return current.token();
  };
}

/** Google's token endpoint, where a service account key names none. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Gmail's scope for IMAP (XOAUTH2): the whole mailbox. */
export const GMAIL_SCOPE = 'https://mail.google.com/';
/** The Gmail API's scope for reading mail and changing its labels (gmail.ts), less than the whole mailbox. */
export const GMAIL_MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
/** How long the JWT asserts for: Google takes an hour at most. */
const ASSERTION_SECONDS = 3600;

/** What Sumi needs of a Google service account's JSON key. */
export interface ServiceAccountKey {
  clientEmail: string;
  /** PKCS#8 PEM, RSA. */
  privateKey: string;
  /** Goes in the JWT's header as its kid. */
  privateKeyId?: string;
  /** https:// only. */
  tokenUrl: string;
}

/** Why a file is no service account key: ingestText's `googleKey.reason.*`, never quoting the key. */
export type ServiceAccountKeyReason = {
  key: 'notJson' | 'type' | 'missing' | 'privateKey' | 'tokenUri';
  values: Record<string, string>;
};

/** A file that is not a Google service account key; the message says why in English. */
export class ServiceAccountKeyError extends RangeError {
  readonly reason: ServiceAccountKeyReason;
  constructor(reason: ServiceAccountKeyReason) {
    super(translator(ingestText, 'en')(`googleKey.reason.${reason.key}`, reason.values));
    this.name = 'ServiceAccountKeyError';
    this.reason = reason;
  }
}

/**
 * Reads the JSON key file Google gives for a service account (type "service_account",
 * client_email, private_key, private_key_id, token_uri; https://oauth2.googleapis.com/token when
 * it names no token_uri). Throws ServiceAccountKeyError (a RangeError) saying what is wrong.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  const refuse = (key: ServiceAccountKeyReason['key'], values: Record<string, string> = {}) =>
    new ServiceAccountKeyError({ key, values });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may be the key.
    throw refuse('notJson');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw refuse('notJson');
  const key = json as Record<string, unknown>;
  if (key.type !== 'service_account') {
    const type = typeof key.type === 'string' ? JSON.stringify(key.type.slice(0, 40)) : 'none';
    throw refuse('type', { type });
  }
  for (const field of ['client_email', 'private_key'])
    if (typeof key[field] !== 'string' || !key[field]) throw refuse('missing', { field });
  const privateKey = key.private_key as string;
  try {
    if (createPrivateKey(privateKey).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw refuse('privateKey');
  }
  if (key.private_key_id !== undefined && typeof key.private_key_id !== 'string')
    throw refuse('missing', { field: 'private_key_id' });
  const tokenUrl = key.token_uri ?? GOOGLE_TOKEN_URL;
  if (typeof tokenUrl !== 'string') throw refuse('tokenUri', { url: String(tokenUrl) });
  try {
    tokenEndpointUrl(tokenUrl);
  } catch {
    throw refuse('tokenUri', { url: tokenUrl.slice(0, 200) });
  }
  return {
    clientEmail: key.client_email as string,
    privateKey,
    ...(key.private_key_id ? { privateKeyId: key.private_key_id as string } : {}),
    tokenUrl,
  };
}

/**
 * A function giving an access token for `subject` (the mailbox's user, whom the service account
 * acts as through Google Workspace's domain-wide delegation) with the JWT bearer grant (RFC 7523
 * §2.1): a JWT signed RS256 with the key, made afresh for each request, POSTed to the key's token
 * endpoint. Calls made while a request is under way share it. Throws RangeError at once for a
 * token URL that is not https://, an empty subject or a key that is not RSA; the function rejects
 * with a TokenError as clientCredentialsToken's does, never quoting the key or the assertion.
 */
export function serviceAccountToken(
  key: ServiceAccountKey,
  subject: string,
  scope: string,
  options: ClientCredentialsOptions = {},
): () => Promise<string> {
  const url = tokenEndpointUrl(key.tokenUrl);
  if (!subject) throw new RangeError('a service account acts as a user: give the subject');
  if (!key.clientEmail) throw new RangeError('a service account key needs its client_email');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.privateKey);
  } catch {
    throw new RangeError('the private key is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new RangeError('the private key is not an RSA key');
  const header = base64url(
    JSON.stringify({ alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) }),
  );
  let assertion = '';
  // The key's base64 lines, hidden one by one too should an answer quote some of them.
  const keyLines = key.privateKey.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-'));
  return tokenRequester({
    url,
    body: () => {
      const iat = Math.floor(Date.now() / 1000);
      const claims = base64url(
        JSON.stringify({
          iss: key.clientEmail,
          sub: subject,
          scope,
          aud: url.href,
          iat,
          exp: iat + ASSERTION_SECONDS,
        }),
      );
      const signed = `${header}.${claims}`;
      assertion = `${signed}.${sign('sha256', Buffer.from(signed), privateKey).toString('base64url')}`;
      return new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString();
    },
    source: { serviceAccount: { tokenUrl: url.href, clientEmail: key.clientEmail, subject } },
    hide: (text) => {
      let shown = text;
      for (const part of [assertion, key.privateKey, ...keyLines])
        if (part) shown = shown.split(part).join('[private key]');
      return shown;
    },
    ...requestLimits(options),
  });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** The https:// URL of a token endpoint; throws RangeError on another scheme or a URL naming a user. */
export function tokenEndpointUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`not a URL: ${text}`);
  }
  if (url.protocol !== 'https:') throw new RangeError(`a token endpoint is asked over https:// only: ${url}`);
  // The URL is said in errors.
  if (url.username || url.password) throw new RangeError(`a token URL names no user: ${url.host}`);
  return url;
}

function requestLimits(options: ClientCredentialsOptions) {
  return {
    timeoutMs: options.timeoutMs ?? OAUTH_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? OAUTH_MAX_ANSWER_BYTES,
    ca: options.ca,
    signal: options.signal,
  };
}

/** Asks the endpoint at each call; calls made while a request is under way share it. */
function tokenRequester(endpoint: Endpoint): () => Promise<string> {
  let asking: Promise<string> | null = null;
  return () => {
    asking ??= requestToken(endpoint).finally(() => {
      asking = null;
    });
    return asking;
  };
}

interface Endpoint {
  url: URL;
  /** The form sent, secret included: made afresh for each request (a JWT's times). */
  body: () => string;
  source: TokenSource;
  /** The text with the secret taken out. */
  hide: (text: string) => string;
  timeoutMs: number;
  maxBytes: number;
  ca: string | Buffer | undefined;
  signal: AbortSignal | undefined;
}

function requestToken(endpoint: Endpoint): Promise<string> {
  const { url, timeoutMs, maxBytes, signal } = endpoint;
  const body = endpoint.body();
  const fail = (reason: string | TokenReason, cause?: unknown) =>
    new TokenError(endpoint.source, hidden(reason, endpoint.hide), cause ? { cause } : undefined);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      finish();
    };
    const request = https.request(
      url,
      {
        method: 'POST',
        // A connection of its own: tokens are asked for rarely, and an idle one kept would go stale.
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          accept: 'application/json',
        },
        ...(endpoint.ca ? { ca: endpoint.ca } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy();
            settle(() => reject(fail({ key: 'tooLarge', values: { max: maxBytes } })));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          settle(() => {
            const read = readAnswer(status, Buffer.concat(chunks), endpoint.hide);
            if (typeof read === 'string') resolve(read);
            else reject(fail(read));
          }),
        );
        response.on('error', (error) => settle(() => reject(networkError(error))));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      settle(() => reject(fail({ key: 'timedOut', values: { seconds: timeoutMs / 1000 } })));
    }, timeoutMs);
    const abort = () => {
      request.destroy();
      settle(() => reject(signal?.reason));
    };
    signal?.addEventListener('abort', abort, { once: true });
    request.on('error', (error) => settle(() => reject(networkError(error))));
    request.end(body);
  });

  /** A failure to reach the endpoint or to agree on TLS, said as such; others in the system's words. */
  function networkError(error: unknown): TokenError {
    const { code } = error as { code?: unknown };
    const said = networkMessage(error);
    if (isUnreachable(code)) return fail({ key: 'unreachable', values: { reason: said } }, error);
    if (isTlsFailure(code)) return fail({ key: 'tls', values: { reason: tlsReason(said) } }, error);
    return fail(said, error);
  }
}

/** The access token of a 2xx answer, or why there is none. */
function readAnswer(status: number, body: Buffer, hide: (text: string) => string): string | TokenReason {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: a proxy's page, say.
  }
  if (status < 200 || status >= 300) {
    const said = endpointError(answer, hide);
    return said ? { key: 'statusSaid', values: { status, said } } : { key: 'status', values: { status } };
  }
  if (answer === undefined) return { key: 'notJson', values: {} };
  const token = (answer as { access_token?: unknown } | null)?.access_token;
  // It goes into an HTTP header and an IMAP command: printable ASCII without spaces only.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) return { key: 'noToken', values: {} };
  return token;
}

/**
 * The endpoint's `error` code and the first line of its `error_description`, quoted and capped
 * (`invalid_client "AADSTS7000215: Invalid client secret provided. ..."`), or '' when it said none.
 */
function endpointError(answer: unknown, hide: (text: string) => string): string {
  if (typeof answer !== 'object' || answer === null) return '';
  const { error, error_description: description } = answer as Record<string, unknown>;
  const parts: string[] = [];
  // RFC 6749 §5.2: printable ASCII.
  if (typeof error === 'string' && /^[\x20-\x7e]{1,100}$/.test(error)) parts.push(hide(error));
  if (typeof description === 'string') {
    const first = hide(description.split(/\r?\n/, 1)[0]!.trim()).slice(0, DESCRIPTION_MAX_CHARS);
    if (first) parts.push(JSON.stringify(first));
  }
  return parts.join(' ');
}

/** The reason with the secret taken out of every word in it. */
function hidden(reason: string | TokenReason, hide: (text: string) => string): string | TokenReason {
  if (typeof reason === 'string') return hide(reason);
  const values = Object.fromEntries(
    Object.entries(reason.values).map(([name, value]) => [
      name,
      typeof value === 'string' ? hide(value) : value,
    ]),
  );
  return { key: reason.key, values };
}
