import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  caCert: string;
  /** A server certificate and key for the names given. */
  issue(names: string[], options?: { days?: number }): { cert: string; key: string };
  cleanup(): void;
}

/** A throwaway CA made with openssl for local HTTPS servers in tests (nothing long-lived is committed). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'sumi-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Sumi Test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  let serial = 1;
  return {
    caCert: readFileSync(file('ca.pem'), 'utf8'),
    issue(names, options = {}) {
      const n = serial++;
      writeFileSync(file(`ext${n}.cnf`), `subjectAltName=${names.map((d) => `DNS:${d}`).join(',')}\n`);
      openssl(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        `/CN=${names[0]}`,
        '-keyout',
        file(`leaf${n}.key`),
        '-out',
        file(`leaf${n}.csr`),
      );
      openssl(
        'x509',
        '-req',
        '-in',
        file(`leaf${n}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-set_serial',
        String(n),
        '-days',
        String(options.days ?? 1),
        '-extfile',
        file(`ext${n}.cnf`),
        '-out',
        file(`leaf${n}.pem`),
      );
      return {
        cert: readFileSync(file(`leaf${n}.pem`), 'utf8'),
        key: readFileSync(file(`leaf${n}.key`), 'utf8'),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
