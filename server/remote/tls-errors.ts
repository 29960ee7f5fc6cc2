import { RemoteError } from './remote-error';
import type { TcpTarget } from './tcp-url';

type NodeError = Error & { code?: string };

// OpenSSL's verification results when the chain does not lead to the CA the admin gave.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * Turns a TLS, socket or HTTP-client error of a TCP endpoint into a coded RemoteError whose message
 * is ours: it names host and port, never node's or OpenSSL's text (which can quote certificate
 * fields) and never the PEMs. The original error is kept as `cause` for the server log only.
 */
export function mapTlsError(err: unknown, t: TcpTarget, given: { caSubject?: string } = {}): RemoteError {
  if (err instanceof RemoteError) return err;
  const e = (err ?? {}) as NodeError;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const where = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  if (UNTRUSTED.has(code)) {
    const ca = given.caSubject ? ` (${given.caSubject})` : '';
    return new RemoteError('TLS_CERT_UNTRUSTED', `At ${where}, the host's certificate is not signed by the CA you gave${ca}: give the CA that issued dockerd's --tlscert.`, { cause: err });
  }
  if (EXPIRED.has(code)) {
    return new RemoteError('TLS_CERT_UNTRUSTED', `The host's certificate at ${where} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}.`, { cause: err });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RemoteError('TLS_NAME_MISMATCH', `The host's certificate does not name ${t.host} (its subject alternative names list other hosts): connect by a name or address the certificate was issued for.`, { cause: err });
  }
  // The engine checks our certificate after the handshake (TLS 1.3) or during it (1.2) and ends
  // the connection with an alert: unknown CA, bad certificate, certificate required.
  if (/^ERR_SSL_.*ALERT/.test(code) || /alert (bad certificate|unknown ca|certificate required|certificate unknown|access denied|handshake failure)/i.test(message)) {
    return new RemoteError('CLIENT_CERT_REFUSED', `The Docker Engine at ${where} refused the client certificate (is it issued by the CA dockerd's --tlscacert names?).`, { cause: err });
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'EPROTO') {
    return new RemoteError('DOCKER_UNAVAILABLE', `${where} does not speak TLS (a plain-HTTP engine or another service on that port?).`, { cause: err });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RemoteError('HOST_UNREACHABLE', `The host name ${t.host} does not resolve.`, { cause: err });
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new RemoteError('HOST_UNREACHABLE', `Nothing answers on ${where} (${code}).`, { cause: err });
  }
  // docker-modem's idle timeout ('timeout' / ETIMEDOUT) and a connect that never completed.
  if (code === 'ETIMEDOUT' || /^timeout$/i.test(message) || /timed? ?out/i.test(message)) {
    return new RemoteError('HOST_UNREACHABLE', `${where} did not answer in time.`, { cause: err });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || message === 'socket hang up') {
    return new RemoteError('CONNECTION_LOST', `The connection to the Docker Engine at ${where} was lost.`, { cause: err });
  }
  return new RemoteError('CONNECTION_LOST', `The connection to the Docker Engine at ${where} failed.`, { cause: err });
}
