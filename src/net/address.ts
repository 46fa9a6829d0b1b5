/** Addresses as a person reads them. */

/** "host:port", an IPv6 host in brackets. */
export function hostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A URL as it may be shown (a log, an error, a status line): its password hidden. */
export function urlWithoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
