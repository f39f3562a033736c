import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createSecureContext as tlsSecureContext } from 'node:tls';
import { derUnsignedInteger, selfSignedCert } from '../../sandbox/cluster/apiserver/selfSignedCert.ts';

test('DER integers are minimal: leading zero bytes are dropped', () => {
  assert.deepEqual(derUnsignedInteger(Buffer.from([0, 0, 0x12, 0x34])), Buffer.from([0x02, 2, 0x12, 0x34]));
});

test('DER integers keep one zero byte when the top bit would read as negative', () => {
  assert.deepEqual(derUnsignedInteger(Buffer.from([0, 0x80])), Buffer.from([0x02, 2, 0, 0x80]));
  assert.deepEqual(derUnsignedInteger(Buffer.from([0xff])), Buffer.from([0x02, 2, 0, 0xff]));
});

test('DER integer zero is a single zero byte', () => {
  assert.deepEqual(derUnsignedInteger(Buffer.from([0, 0])), Buffer.from([0x02, 1, 0]));
  assert.deepEqual(derUnsignedInteger(Buffer.alloc(0)), Buffer.from([0x02, 1, 0]));
});

// The serial is random; one certificate in 256 once had a padded serial that OpenSSL refused.
test('every generated certificate loads into a TLS context and names 127.0.0.1', () => {
  for (let i = 0; i < 2000; i++) {
    const { certPem, keyPem } = selfSignedCert();
    assert.doesNotThrow(() => tlsSecureContext({ cert: certPem, key: keyPem }), `certificate ${i}`);
    const cert = new X509Certificate(certPem);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(cert.ca, 'the certificate is its own CA in the kubeconfig');
  }
});
