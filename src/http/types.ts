/**
 * Fetching files named by DNS records (BIMI logos and certificates, MTA-STS policies).
 * The URLs are attacker-controlled, so every fetch is https only, size- and time-capped,
 * never follows redirects and never reaches loopback or private addresses unless allowed.
 */
export interface FetchLimits {
  /** Bytes; the body is cut off and the fetch fails with `too-large` past this. */
  maxBytes: number;
  /** Whole-request budget in milliseconds. */
  timeoutMs?: number;
}

export type FetchFailure =
  | 'bad-url'
  | 'not-https'
  | 'dns'
  | 'private-address'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'too-large'
  | 'redirect'
  | 'http-status';

export type FetchOutcome =
  | {
      ok: true;
      url: string;
      status: number;
      /** Header names lower case. */
      headers: Record<string, string>;
      body: Buffer;
    }
  | {
      ok: false;
      url: string;
      failure: FetchFailure;
      /** For people: what went wrong, with the detail (status code, TLS error, address). */
      error: string;
      status?: number;
      /** Redirect target when failure is `redirect`. */
      location?: string;
    };

export interface Fetcher {
  fetch(url: string, limits: FetchLimits): Promise<FetchOutcome>;
}
