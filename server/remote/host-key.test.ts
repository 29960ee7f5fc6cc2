import { describe, expect, it } from 'vitest';
import { algorithmOf, fingerprintOf, hostKeyOf, isFingerprint } from './host-key';

// Public keys and the fingerprints `ssh-keygen -l -E sha256 -f key.pub` printed for them.
const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIKieG2oOvTMZOUYHbpeXnaiasQsJ7pjEciaaFIwRTMzp';
const ED25519_FP = 'SHA256:l/uH3TrZz8zSA76jNwEs8/r/4JlmA18nCPAzYD5i9mk';
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQDHUrUA1n9+Nxk7wC9qX1zHpljpZDnaFJkkEpLpUCX+HtQvrEBCXRSeNf8Nia30T6ism0D0/S2bE+r/WmzhL47jvs9HVetWQFfRk3Gi56f493t6oCwj0C4+pKBtQsgPA8mGiZujjgDf8GB5LTCpQuT8eQLb4UdS2Gfgnpywun9kXw==';
const RSA_FP = 'SHA256:y5DdCjV9qHjhPgKw8iOEVRZJ43p1JGVxzHBAsAPP5qw';

describe('host key fingerprints', () => {
  it('match what OpenSSH prints, without base64 padding', () => {
    expect(fingerprintOf(Buffer.from(ED25519, 'base64'))).toBe(ED25519_FP);
    expect(fingerprintOf(Buffer.from(RSA, 'base64'))).toBe(RSA_FP);
    expect(fingerprintOf(Buffer.from(RSA, 'base64'))).not.toContain('=');
  });

  it('name the key type from the blob', () => {
    expect(hostKeyOf(Buffer.from(ED25519, 'base64'))).toEqual({ algorithm: 'ssh-ed25519', fingerprint: ED25519_FP });
    expect(algorithmOf(Buffer.from(RSA, 'base64'))).toBe('ssh-rsa');
    expect(algorithmOf(Buffer.from([0, 0, 0, 200, 1]))).toBe('unknown');
    expect(algorithmOf(Buffer.alloc(2))).toBe('unknown');
  });

  it('accept only the stored form as a pin', () => {
    expect(isFingerprint(ED25519_FP)).toBe(true);
    expect(isFingerprint(`${ED25519_FP}=`)).toBe(false);
    expect(isFingerprint('MD5:aa:bb')).toBe(false);
    expect(isFingerprint(ED25519_FP.replace('SHA256:', 'sha256:'))).toBe(false);
  });
});
