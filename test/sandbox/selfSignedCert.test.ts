import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createSecureContext as tlsSecureContext } from 'node:tls';
import { OpensslUnavailableError, selfSignedCert } from '../../sandbox/cluster/apiserver/selfSignedCert.ts';

test('the certificate loads into a TLS context, names 127.0.0.1 and localhost, and is its own CA', () => {
  for (let i = 0; i < 20; i++) {
    const { certPem, keyPem } = selfSignedCert();
    assert.doesNotThrow(() => tlsSecureContext({ cert: certPem, key: keyPem }), `certificate ${i}`);
    const cert = new X509Certificate(certPem);
    assert.equal(cert.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost');
    assert.ok(cert.ca, 'the certificate is its own CA in the kubeconfig');
    assert.ok(cert.checkIssued(cert), 'self-signed');
    assert.ok(Date.parse(cert.validFrom) <= Date.now() && Date.now() < Date.parse(cert.validTo), 'valid now');
  }
});

test('certificates differ: a fresh key and serial each time', () => {
  const a = new X509Certificate(selfSignedCert().certPem);
  const b = new X509Certificate(selfSignedCert().certPem);
  assert.notEqual(a.serialNumber, b.serialNumber);
  assert.notEqual(a.fingerprint256, b.fingerprint256);
});

test('without openssl the error says what to install', () => {
  assert.throws(
    () => selfSignedCert({ openssl: 'openssl-that-does-not-exist' }),
    (err: unknown) => err instanceof OpensslUnavailableError && /Install OpenSSL 1\.1\.1 or later on PATH/.test(err.message) && /ENOENT/.test(err.message),
  );
});
