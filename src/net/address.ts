/** Addresses as a person reads them. */

/** A host as a URL names it: an IPv6 address in brackets, so that its colons read as its own. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** "host:port", an IPv6 host in brackets. */
export function hostPort(host: string, port: number | string): string {
  return `${urlHost(host)}:${port}`;
}

/** A URL as it may be shown (a log, an error, a status line): its password hidden. */
export function urlWithoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
