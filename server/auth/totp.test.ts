import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, generateTotpSecret, hotp, otpauthUri, totpAt, totpStep, verifyTotp } from './totp';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; the RFC prints
// 8-digit codes, and a 6-digit code is their last six digits (the same truncation, mod 10^6).
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238 test vectors (SHA-1)', () => {
  for (const [seconds, expected] of RFC_VECTORS) {
    it(`T=${seconds} → ${expected}`, () => {
      const step = totpStep(seconds * 1000);
      expect(hotp(RFC_SEED, step, 8)).toBe(expected);
      expect(totpAt(base32Encode(RFC_SEED), step)).toBe(expected.slice(-6));
    });
  }
});

describe('RFC 4226 appendix D (HOTP)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it('matches for counters 0-9', () => {
    expect(expected.map((_, i) => hotp(RFC_SEED, i))).toEqual(expected);
  });
});

describe('base32', () => {
  it('round-trips and matches RFC 4648 examples', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
  });
});

describe('verifyTotp', () => {
  const secret = base32Encode(RFC_SEED);
  const now = 1111111111 * 1000;
  const step = totpStep(now);

  it('accepts the current code and one step either side, nothing further', () => {
    expect(verifyTotp(secret, totpAt(secret, step), { now })).toBe(step);
    expect(verifyTotp(secret, totpAt(secret, step - 1), { now })).toBe(step - 1);
    expect(verifyTotp(secret, totpAt(secret, step + 1), { now })).toBe(step + 1);
    expect(verifyTotp(secret, totpAt(secret, step - 2), { now })).toBeNull();
    expect(verifyTotp(secret, totpAt(secret, step + 2), { now })).toBeNull();
  });

  it('refuses a code of a step already used (replay) or older', () => {
    const code = totpAt(secret, step);
    expect(verifyTotp(secret, code, { now, lastStep: step })).toBeNull();
    expect(verifyTotp(secret, totpAt(secret, step - 1), { now, lastStep: step })).toBeNull();
    expect(verifyTotp(secret, totpAt(secret, step + 1), { now, lastStep: step })).toBe(step + 1);
  });

  it('refuses anything that is not six digits', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456', '１２３４５６']) expect(verifyTotp(secret, code, { now })).toBeNull();
  });

  it('builds an otpauth URI apps understand', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Tale Console:ada@example.com');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('Tale Console');
  });
});
