import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretPathValue, looksLikeSecretName } from '../../reconciler/agentspec/secretLiterals.ts';
import { containsPat } from '../../reconciler/support/patShape.ts';
import { FAKE_NEW_PAT, FAKE_PAT } from '../fixtures/badSpecs.ts';

test('secret-looking env names, whatever the case and whitespace', () => {
  for (const n of ['AZP_TOKEN', 'AZP_TOKEN ', ' azp_token', 'VSTS_TOKEN', 'SYSTEM_ACCESSTOKEN', 'db_password', 'MY_PASSWD', 'CLIENT_SECRET', 'secretKey', 'AZDO_PAT', 'pat', 'MY-PAT-VALUE', 'AZ P_TOKEN']) {
    assert.ok(looksLikeSecretName(n), n);
  }
});

test('PAT is a word: PATH, PATTERN or DISPATCH are not secrets', () => {
  for (const n of ['PATH', 'PATTERN', 'DISPATCH_URL', 'AZP_WORK', 'HOME', 'JAVA_HOME', 'COMPATIBLE']) assert.ok(!looksLikeSecretName(n), n);
});

test('a path to where a secret is may be literal (AZP_TOKEN_FILE=/azp/token), a relative one may not', () => {
  assert.ok(isSecretPathValue('AZP_TOKEN_FILE', '/azp/token'));
  assert.ok(isSecretPathValue('SECRET_DIR', '/run/secrets'));
  assert.ok(!isSecretPathValue('AZP_TOKEN_FILE', 'token'));
  assert.ok(!isSecretPathValue('AZP_TOKEN', '/azp/token'));
});

test('both PAT shapes are found inside longer strings, and only as whole words', () => {
  assert.ok(containsPat(FAKE_PAT));
  assert.ok(containsPat(`--token=${FAKE_PAT}`));
  assert.ok(containsPat(`./start.sh --token ${FAKE_NEW_PAT} --once`));
  assert.equal(FAKE_NEW_PAT.length, 84);
  assert.equal(FAKE_NEW_PAT.slice(76, 80), 'AZDO');
  assert.ok(!containsPat(FAKE_PAT + 'a'), '53 base32 characters are not a classic PAT');
  assert.ok(!containsPat(FAKE_PAT.toUpperCase()), 'classic PATs are lower-case');
  assert.ok(!containsPat(FAKE_NEW_PAT.replace('AZDO', 'ABCD')), 'the new format carries the AZDO signature');
  assert.ok(!containsPat('sha256:' + 'a'.repeat(64)), 'a 64-hex digest is not a PAT');
  assert.ok(!containsPat('--once'));
});
