/**
 * Pages live in the URL hash (`#/domains/example.jp/senders/192.0.2.1`), so the server only
 * has to serve index.html at / and every page is a link that can be bookmarked.
 */
export type Route =
  | { page: 'domains' }
  | { page: 'domain'; domain: string }
  | { page: 'sender'; domain: string; ip: string }
  | { page: 'reports' }
  | { page: 'report'; id: string }
  | { page: 'failures' }
  | { page: 'failure'; id: string }
  | { page: 'surveys' }
  | { page: 'survey'; id: string }
  | { page: 'upload' }
  | { page: 'settings' }
  | { page: 'account' }
  | { page: 'tls'; domain?: string }
  | { page: 'not-found' };

export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [first, second, third, fourth] = parts;
  switch (first) {
    case undefined:
    case 'domains':
      if (second === undefined) return { page: 'domains' };
      if (third === 'senders' && fourth !== undefined) return { page: 'sender', domain: second, ip: fourth };
      return { page: 'domain', domain: second };
    case 'reports':
      return second === undefined ? { page: 'reports' } : { page: 'report', id: second };
    case 'failure-reports':
      return second === undefined ? { page: 'failures' } : { page: 'failure', id: second };
    case 'surveys':
      return second === undefined ? { page: 'surveys' } : { page: 'survey', id: second };
    case 'upload':
      return { page: 'upload' };
    case 'settings':
      return { page: 'settings' };
    case 'account':
      return { page: 'account' };
    case 'tls-reports':
      return second === undefined ? { page: 'tls' } : { page: 'tls', domain: second };
    default:
      return { page: 'not-found' };
  }
}

const enc = encodeURIComponent;

export function href(route: Route): string {
  switch (route.page) {
    case 'domains':
      return '#/domains';
    case 'domain':
      return `#/domains/${enc(route.domain)}`;
    case 'sender':
      return `#/domains/${enc(route.domain)}/senders/${enc(route.ip)}`;
    case 'reports':
      return '#/reports';
    case 'report':
      return `#/reports/${enc(route.id)}`;
    case 'failures':
      return '#/failure-reports';
    case 'failure':
      return `#/failure-reports/${enc(route.id)}`;
    case 'surveys':
      return '#/surveys';
    case 'survey':
      return `#/surveys/${enc(route.id)}`;
    case 'upload':
      return '#/upload';
    case 'settings':
      return '#/settings';
    case 'account':
      return '#/account';
    case 'tls':
      return route.domain === undefined ? '#/tls-reports' : `#/tls-reports/${enc(route.domain)}`;
    case 'not-found':
      return '#/';
  }
}
