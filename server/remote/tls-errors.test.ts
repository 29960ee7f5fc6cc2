import { describe, expect, it } from 'vitest';
import { mapTlsError } from './tls-errors';

const t = { host: '10.0.0.5', port: 2376 };
const err = (code: string, message = `node says ${code} -----BEGIN CERTIFICATE----- MIIB`) => Object.assign(new Error(message), { code });

describe('mapTlsError', () => {
  it('gives each failure its code, in our words, with the original kept only as cause', () => {
    const cases: [Error, string][] = [
      [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'TLS_CERT_UNTRUSTED'],
      [err('SELF_SIGNED_CERT_IN_CHAIN'), 'TLS_CERT_UNTRUSTED'],
      [err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TLS_CERT_UNTRUSTED'],
      [err('CERT_HAS_EXPIRED'), 'TLS_CERT_UNTRUSTED'],
      [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS_NAME_MISMATCH'],
      [err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), 'CLIENT_CERT_REFUSED'],
      [err('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), 'CLIENT_CERT_REFUSED'],
      [err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'CLIENT_CERT_REFUSED'],
      [err('ERR_SSL_WRONG_VERSION_NUMBER'), 'DOCKER_UNAVAILABLE'],
      [err('ECONNREFUSED'), 'HOST_UNREACHABLE'],
      [err('EHOSTUNREACH'), 'HOST_UNREACHABLE'],
      [err('ENOTFOUND'), 'HOST_UNREACHABLE'],
      [err('ETIMEDOUT'), 'HOST_UNREACHABLE'],
      [err('ECONNRESET', 'socket hang up'), 'CONNECTION_LOST'],
      [new Error('something else'), 'CONNECTION_LOST'],
    ];
    for (const [e, code] of cases) {
      const mapped = mapTlsError(e, t);
      expect(mapped.code, (e as Error & { code?: string }).code).toBe(code);
      expect(mapped.message).toContain('10.0.0.5');
      expect(mapped.message).not.toMatch(/BEGIN|MIIB|node says/);
      expect(mapped.cause).toBe(e);
    }
  });

  it("says the host's certificate is not signed by the CA given, naming that CA", () => {
    const m = mapTlsError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), t, { caSubject: 'CN=ops-ca' });
    expect(m.message).toContain("the host's certificate is not signed by the CA you gave (CN=ops-ca)");
  });

  it('brackets an IPv6 host', () => {
    expect(mapTlsError(err('ECONNREFUSED'), { host: '2001:db8::1', port: 2376 }).message).toContain('[2001:db8::1]:2376');
  });
});
