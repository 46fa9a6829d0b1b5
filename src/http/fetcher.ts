import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Resolver } from '../dns/types.ts';
import type { Fetcher, FetchFailure, FetchLimits, FetchOutcome } from './types.ts';

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/**
 * Addresses a URL from DNS must never make Sumi connect to (RFC 6890 special-purpose space):
 * otherwise a record could point the checker at the host's own services or the LAN.
 */
const SPECIAL_PURPOSE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL_PURPOSE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b:1::', 48],
] as const) {
  SPECIAL_PURPOSE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return SPECIAL_PURPOSE.check(mapped[1]!, 'ipv4');
  return SPECIAL_PURPOSE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export interface HttpsFetcherOptions {
  /** Host names are resolved through Sumi's resolver, so tests and labs see their own zone. */
  resolver: Resolver;
  /** Labs and tests only: allow loopback and private addresses. */
  allowPrivate?: boolean;
  /** Extra trusted CA certificates (PEM), added to the system's roots. */
  ca?: string[];
}

/** The real fetcher: https only, no redirects, capped size and time, no private addresses. */
export class HttpsFetcher implements Fetcher {
  private readonly ca: string[] | undefined;

  constructor(private readonly options: HttpsFetcherOptions) {
    this.ca = options.ca && options.ca.length > 0 ? [...rootCertificates, ...options.ca] : undefined;
  }

  async fetch(url: string, limits: FetchLimits): Promise<FetchOutcome> {
    const fail = (failure: FetchFailure, error: string, extra: { status?: number; location?: string } = {}) =>
      ({ ok: false, url, failure, error, ...extra }) as const;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return fail('bad-url', `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:')
      return fail('not-https', `${parsed.protocol} URL: only https is fetched`);
    if (parsed.username || parsed.password) return fail('bad-url', 'URLs with credentials are not fetched');

    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let address: string;
    if (isIP(host)) {
      address = host;
    } else {
      const found = await this.resolve(host);
      if ('error' in found) return fail('dns', found.error);
      address = found.address;
    }
    if (!this.options.allowPrivate && isPrivateAddress(address)) {
      return fail('private-address', `${host} resolves to ${address}, a private or loopback address`);
    }
    return this.request(parsed, host, address, limits, fail);
  }

  private async resolve(host: string): Promise<{ address: string } | { error: string }> {
    const [v4, v6] = await Promise.all([
      this.options.resolver.lookup(host, 'A'),
      this.options.resolver.lookup(host, 'AAAA'),
    ]);
    const address = v4.records[0] ?? v6.records[0];
    if (address) return { address };
    const statuses = `A ${v4.status}, AAAA ${v6.status}`;
    return { error: `${host} has no address (${statuses})` };
  }

  private request(
    url: URL,
    host: string,
    address: string,
    limits: FetchLimits,
    fail: (f: FetchFailure, e: string, x?: { status?: number; location?: string }) => FetchOutcome,
  ): Promise<FetchOutcome> {
    // The connection goes to the address checked above, never to a fresh lookup.
    const lookup: LookupFunction = (_hostname, options, callback) => {
      const family = isIP(address);
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address, family },
        ]);
      } else {
        callback(null, address, family);
      }
    };
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: FetchOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve(outcome);
      };
      const timeoutMs = limits.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
      const timer = setTimeout(
        () => finish(fail('timeout', `no complete answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const request = https.get(
        url,
        {
          lookup,
          servername: isIP(host) ? undefined : host,
          ca: this.ca,
          headers: { 'user-agent': 'Sumi (DMARC checker)', accept: '*/*' },
          agent: false,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            const location = response.headers.location;
            return finish(
              fail(
                'redirect',
                `HTTP ${status} redirect${location ? ` to ${location}` : ''}: redirects are not followed`,
                {
                  status,
                  ...(location ? { location } : {}),
                },
              ),
            );
          }
          if (status < 200 || status >= 300) return finish(fail('http-status', `HTTP ${status}`, { status }));
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > limits.maxBytes) {
            return finish(
              fail('too-large', `${declared} bytes declared; the limit is ${limits.maxBytes}`, { status }),
            );
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limits.maxBytes) {
              finish(fail('too-large', `more than ${limits.maxBytes} bytes`, { status }));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error) => finish(fail('connect', error.message, { status })));
          response.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined)
                headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
            }
            finish({ ok: true, url: url.href, status, headers, body: Buffer.concat(chunks) });
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? '';
        const tls = /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|EPROTO/.test(code);
        finish(fail(tls ? 'tls' : 'connect', `${code ? `${code}: ` : ''}${error.message}`));
      });
    });
  }
}
