import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTlsFixture, type TlsFixture } from '@/e2e/fixtures/remote-tls';
import { TlsMaterialError, validateTlsMaterial, type TlsMaterial } from './tls-material';

// Real certificates made by openssl (e2e/fixtures/remote-tls.ts), checked without any connection.

let tls: TlsFixture;
let good: TlsMaterial;

beforeAll(async () => {
  tls = await createTlsFixture();
  good = { caCert: tls.ca.cert, clientCert: tls.client.cert, clientKey: tls.client.key };
}, 60_000);
afterAll(() => tls?.dispose());

function refusal(m: TlsMaterial, now?: Date): TlsMaterialError {
  try {
    validateTlsMaterial(m, now);
  } catch (e) {
    expect(e).toBeInstanceOf(TlsMaterialError);
    const err = e as TlsMaterialError;
    expect(err.code).toBe('INVALID_CERTIFICATE');
    // Never the input's text, whatever was pasted (the words may name the expected PEM header).
    for (const text of Object.values(m)) for (const line of text.split('\n').filter((l) => l.length > 3 && !l.startsWith('-----'))) expect(err.message).not.toContain(line);
    return err;
  }
  throw new Error('accepted');
}

describe('validateTlsMaterial', () => {
  it("accepts a CA, a client certificate and that certificate's key; summarises with public facts only", () => {
    const s = validateTlsMaterial(good);
    expect(s.caFingerprint).toMatch(/^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(s.caSubject).toContain('CN=tale-test-ca');
    expect(s.clientSubject).toContain('CN=tale-console');
    expect(JSON.stringify(s)).not.toMatch(/BEGIN/);
  });

  it('accepts a CA bundle whose first certificate is not the CA', () => {
    expect(validateTlsMaterial({ ...good, caCert: `${tls.client.cert}\n${tls.ca.cert}` }).caSubject).toContain('CN=tale-test-ca');
  });

  it('names the field that is wrong', () => {
    expect(refusal({ ...good, caCert: 'not a pem' }).field).toBe('caCert');
    expect(refusal({ ...good, caCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }).field).toBe('caCert');
    expect(refusal({ ...good, caCert: tls.client.cert }).message).toMatch(/not a CA/);
    expect(refusal({ ...good, clientCert: tls.client.key }).field).toBe('clientCert');
    expect(refusal({ ...good, clientKey: tls.client.cert }).field).toBe('clientKey');
    expect(refusal({ ...good, clientKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }).field).toBe('clientKey');
  });

  it("refuses a key that is not the certificate's", () => {
    const err = refusal({ ...good, clientKey: tls.otherClient.key });
    expect(err.field).toBe('clientKey');
    expect(err.message).toMatch(/does not belong to the client certificate/);
  });

  it('refuses a passphrase-protected key, saying why', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expect(refusal({ ...good, clientKey: privateKey }).message).toMatch(/passphrase/);
  });

  it('refuses a client certificate outside its validity', () => {
    expect(refusal(good, new Date(Date.now() + 30 * 86_400_000)).message).toMatch(/expired on/);
    expect(refusal(good, new Date(Date.now() - 86_400_000)).message).toMatch(/not valid before/);
  });
});
