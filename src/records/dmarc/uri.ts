import { domainToASCII } from 'node:url';

/**
 * DMARC reporting URIs (RFC 9989 s4.6 and s4.8): `rua`/`ruf` hold comma-separated URIs of
 * any scheme; receivers must support `mailto:`. The RFC 7489 `!size` suffix is obsolete
 * (reporters ignore it); an unencoded `!` or `,` is otherwise not allowed in the URI.
 */

export type UriProblem =
  | 'empty'
  | 'no-scheme'
  | 'whitespace'
  | 'bad-address'
  | 'bad-host'
  | 'unencoded-bang'
  | 'bad-url';

export interface ReportUri {
  /** As published, trimmed. */
  text: string;
  /** The usable URI: scheme lower-cased, `!size` suffix removed. Absent when the URI is unusable. */
  uri?: string;
  /** Lower case, without the colon. */
  scheme?: string;
  /** For mailto: the address (percent-decoded). */
  address?: string;
  /** The host that receives the reports: the mailto domain or the URL host, lower-case A-labels. */
  host?: string;
  /** The obsolete `!size` suffix as published (`10m`), when present. */
  sizeLimit?: string;
  /** Why the URI cannot be used. */
  problem?: UriProblem;
  /** The URI Sumi would write instead, when the mistake has one obvious correction. */
  repaired?: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const SIZE_SUFFIX = /!(\d+[kmgtKMGT]?)$/;

/** Splits a `rua`/`ruf` value on commas (RFC 9989 s4.8 `dmarc-urilist`). */
export function splitUriList(value: string): string[] {
  return value.split(',').map((u) => u.trim());
}

export function parseReportUri(published: string): ReportUri {
  const text = published.trim();
  const out: ReportUri = { text };
  if (text === '') return { ...out, problem: 'empty' };
  let body = text;
  const size = SIZE_SUFFIX.exec(body);
  if (size) {
    out.sizeLimit = size[1]!.toLowerCase();
    body = body.slice(0, size.index);
  }
  const problem = uriProblem(body);
  if (problem) {
    out.problem = problem;
    const repaired = repairUri(body);
    if (repaired) out.repaired = repaired;
    return out;
  }
  const scheme = SCHEME.exec(body)![1]!.toLowerCase();
  const rest = body.slice(scheme.length + 1);
  out.scheme = scheme;
  out.uri = `${scheme}:${rest}`;
  if (scheme === 'mailto') {
    const address = mailtoAddress(rest)!;
    out.address = address.address;
    out.host = address.host;
  } else {
    out.host = new URL(out.uri).hostname.toLowerCase();
  }
  return out;
}

function uriProblem(body: string): UriProblem | undefined {
  if (/\s/.test(body)) return 'whitespace';
  if (body.includes('!')) return 'unencoded-bang';
  const scheme = SCHEME.exec(body);
  if (!scheme) return 'no-scheme';
  const rest = body.slice(scheme[0].length);
  if (scheme[1]!.toLowerCase() === 'mailto') {
    const address = mailtoAddress(rest);
    if (!address) return 'bad-address';
    if (!address.host) return 'bad-host';
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(body);
  } catch {
    return 'bad-url';
  }
  if (url.hostname === '') return 'bad-url';
  return undefined;
}

/**
 * The obvious correction, when there is one: spaces removed (`mailto: a@b`), text after a
 * space dropped (`mailto:a@b ...`), a repeated tag name removed (`rua=mailto:a@b`), the
 * trailing dot of the domain removed, or `mailto:` added to a bare address.
 */
function repairUri(body: string): string | undefined {
  const candidates = [body.replace(/\s+/g, ''), body.trim().split(/\s+/)[0] ?? ''];
  for (const raw of candidates) {
    let candidate = raw.replace(/^(?:rua|ruf)=/i, '').replace(/\.$/, '');
    if (!SCHEME.test(candidate) && /^[^@:/]+@[^@]+$/.test(candidate)) candidate = `mailto:${candidate}`;
    if (candidate === '' || uriProblem(candidate)) continue;
    const scheme = SCHEME.exec(candidate)![1]!;
    return `${scheme.toLowerCase()}${candidate.slice(scheme.length)}`;
  }
  return undefined;
}

/**
 * `local@domain` of a mailto URI (RFC 6068): one "@", a dot-atom local part (percent-encoded
 * characters allowed), a domain name without a trailing dot. Host undefined when the
 * domain is not usable; undefined when the address is not an address.
 */
function mailtoAddress(rest: string): { address: string; host: string | undefined } | undefined {
  const to = rest.split('?')[0]!;
  const parts = to.split('@');
  if (parts.length !== 2 || !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(parts[0]!) || parts[1] === '')
    return undefined;
  let address: string;
  try {
    address = decodeURIComponent(to);
  } catch {
    return undefined;
  }
  const domain = decodeURIComponent(parts[1]!);
  return { address, host: domain.endsWith('.') ? undefined : hostName(domain) };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A mail domain in A-label form, or undefined when it is not a usable host name. */
export function hostName(domain: string): string | undefined {
  const ascii = domainToASCII(domain.toLowerCase().replace(/\.$/, ''));
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return ascii;
}
