import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MVA_INTERMEDIATES_PEM, MVA_ROOTS_PEM } from '../../src/check/bimi/mva-roots.ts';
import { DEFAULT_BIMI_TRUST } from '../../src/check/bimi.ts';
import { OID_KP_BIMI, pemCertificates } from '../../src/records/bimi/certificate.ts';

const roots = MVA_ROOTS_PEM.map((p) => new X509Certificate(p));
const intermediates = MVA_INTERMEDIATES_PEM.map((p) => new X509Certificate(p));

describe('bundled Mark Verifying Authority certificates', () => {
  it('are the default trust', () => {
    expect(DEFAULT_BIMI_TRUST.roots).toBe(MVA_ROOTS_PEM);
    expect(DEFAULT_BIMI_TRUST.intermediates).toBe(MVA_INTERMEDIATES_PEM);
  });

  it('roots are self-signed CA certificates, one per PEM entry', () => {
    expect(roots.length).toBeGreaterThanOrEqual(5);
    for (const root of roots) {
      expect(root.ca, root.subject).toBe(true);
      expect(root.checkIssued(root) && root.verify(root.publicKey), root.subject).toBe(true);
    }
    for (const pem of [...MVA_ROOTS_PEM, ...MVA_INTERMEDIATES_PEM])
      expect(pemCertificates(pem)).toHaveLength(1);
  });

  it('every intermediate is a BIMI CA issued by a bundled root', () => {
    for (const ca of intermediates) {
      expect(ca.ca, ca.subject).toBe(true);
      expect(
        roots.some((r) => ca.checkIssued(r) && ca.verify(r.publicKey)),
        ca.subject,
      ).toBe(true);
      expect(ca.keyUsage ?? [], ca.subject).toContain(OID_KP_BIMI);
    }
  });
});

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/suites/bimi/mva-roots');

describe.skipIf(!existsSync(corpus))('MVA roots in the corpus (skipped: ../shared/corpus absent)', () => {
  it('every self-signed certificate there is bundled', () => {
    const files = [
      path.join(corpus, 'checkdmarc-MVACAs.pem'),
      ...readdirSync(path.join(corpus, 'mail-bimi')).map((f) => path.join(corpus, 'mail-bimi', f)),
    ];
    const bundled = new Set(roots.map((r) => r.fingerprint256));
    for (const file of files) {
      for (const der of pemCertificates(readFileSync(file, 'utf8'))) {
        const cert = new X509Certificate(der);
        if (cert.checkIssued(cert))
          expect(bundled.has(cert.fingerprint256), `${file}: ${cert.subject}`).toBe(true);
      }
    }
  });
});
