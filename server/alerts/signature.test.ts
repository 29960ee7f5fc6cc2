import { describe, expect, it } from 'vitest';
import { sign, verify } from './signature';

const SECRET = 'a-webhook-secret-of-32-characters';
const BODY = '{"version":1}';

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", as openssl computes it', () => {
    // printf '%s' '1700000000.{"version":1}' | openssl dgst -sha256 -hmac 'a-webhook-secret-of-32-characters'
    expect(sign(SECRET, 1_700_000_000, BODY)).toBe('v1=a45201e13e756d030e997f50e01cafcd240d895661d90b7a912e83e182994b70');
  });

  it('verifies the untouched request and refuses a changed body, timestamp, secret or an old one', () => {
    const sig = sign(SECRET, 1_700_000_000, BODY);
    expect(verify(SECRET, '1700000000', BODY, sig, 1_700_000_010)).toBe(true);
    expect(verify(SECRET, '1700000000', '{"version":2}', sig, 1_700_000_010)).toBe(false);
    expect(verify(SECRET, '1700000001', BODY, sig, 1_700_000_010)).toBe(false);
    expect(verify('another-secret-of-enough-length', '1700000000', BODY, sig, 1_700_000_010)).toBe(false);
    // A replay ten minutes later: the signature is right, the timestamp too old.
    expect(verify(SECRET, '1700000000', BODY, sig, 1_700_000_600)).toBe(false);
    expect(verify(SECRET, 'abc', BODY, sig, 1_700_000_010)).toBe(false);
  });
});
