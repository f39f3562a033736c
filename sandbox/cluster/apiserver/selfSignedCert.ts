// A throwaway self-signed certificate for 127.0.0.1, made by the platform's `openssl` (as the
// real-cluster PKI in test/helpers/realCluster.ts is). TLS is needed only because kubectl
// (client-go) never sends a bearer token to a plain-http server (kubernetes/kubectl#744); the
// certificate is its own CA in the kubeconfig.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCert { keyPem: string; certPem: string }

/** `openssl` could not make the certificate: not installed, or older than 1.1.1 (`-addext`). */
export class OpensslUnavailableError extends Error {
  override readonly name = 'OpensslUnavailableError';
  constructor(openssl: string, detail: string) {
    super(
      `the sandbox's API server makes its TLS certificate with ${openssl} (kubectl sends a token only over TLS), and that failed: ${detail}. ` +
        'Install OpenSSL 1.1.1 or later on PATH (Debian/Ubuntu: apt-get install openssl; macOS: brew install openssl)',
    );
  }
}

export interface SelfSignedCertOptions {
  readonly commonName?: string;
  /** The openssl binary (default: `openssl` on PATH). */
  readonly openssl?: string;
}

export function selfSignedCert(opts: SelfSignedCertOptions = {}): SelfSignedCert {
  const openssl = opts.openssl ?? 'openssl';
  const dir = mkdtempSync(join(tmpdir(), 'azdo-sandbox-cert-'));
  try {
    // prime256v1: a key in milliseconds (an RSA key costs a noticeable share of sandbox start-up).
    const r = spawnSync(
      openssl,
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '365', '-subj', `/CN=${opts.commonName ?? 'azdo-sandbox-apiserver'}`,
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      ],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (r.error) throw new OpensslUnavailableError(openssl, r.error.message);
    if (r.status !== 0) throw new OpensslUnavailableError(openssl, `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    return { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
