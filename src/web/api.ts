/**
 * The dashboard's only way to the server: JSON over fetch with the session cookie, and the
 * CSRF token on every request that changes something.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let language = 'en';
const listeners = new Set<() => void>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Sent as Accept-Language, so the words the server writes (next steps, reasons, fixes) follow the switch. */
export function setLanguage(lang: string): void {
  language = lang;
}

/** Called when the session has ended (any 401), so the app can show the login page. */
export function onSessionEnd(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  form?: FormData;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  let body: string | FormData | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (response.status === 401 && !path.startsWith('/api/auth/')) {
    for (const listener of listeners) listener();
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (!type.includes('json')) return text as T;
  // The reviver, which costs every value a call, only for an answer holding such a character.
  return (BIDI_CONTROLS.test(text) ? JSON.parse(text, withoutBidiControls) : JSON.parse(text)) as T;
}

/** The bidi embeddings, overrides and isolates. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Report text is untrusted, and a bidi override in it (an org name, a From domain) would show
 * the rest of its field reversed: `moc.elgoog` read as google.com. Every string of an answer has
 * them as U+FFFD, so that what the dashboard shows is what was sent, in its order (the raw
 * bytes of a report stay downloadable as they came).
 */
function withoutBidiControls(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(new RegExp(BIDI_CONTROLS, 'g'), '\uFFFD') : value;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    // The API answers {error: {code, message}}; the message is in the client's language.
    const body = (await response.json()) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === 'object' ? body.error.message : (body.error ?? body.message);
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the status line says enough.
  }
  return `${response.status} ${response.statusText}`;
}

/** `/api/x?a=1&b=2` with empty values left out. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
