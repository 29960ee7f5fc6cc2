import { RemoteError } from './remote-error';
import type { SshTarget } from './ssh-url';

/** What a host-key verifier saw on the connection that failed, to name both fingerprints. */
export type HostKeyMismatch = { expected: string; presented: string };

type Ssh2Error = Error & { level?: string; code?: string | number };

/**
 * Turns an ssh2 (or socket) error into a coded RemoteError. ssh2 tags its errors with `level`:
 * 'client-socket' (TCP: refused, reset, unreachable), 'client-timeout' (no handshake within
 * readyTimeout), 'client-dns', 'client-authentication' (every offered key refused), 'protocol' /
 * 'handshake' (including a host key the verifier refused). The original error is kept as `cause`
 * for the server log; the message is ours, so a private key can never leak through it.
 */
export function mapSshError(err: unknown, t: SshTarget, mismatch?: HostKeyMismatch | null): RemoteError {
  if (err instanceof RemoteError) return err;
  const e = (err ?? {}) as Ssh2Error;
  const where = `${t.user}@${t.host}:${t.port}`;
  const message = typeof e.message === 'string' ? e.message : '';
  if (mismatch && /verification failed/i.test(message)) {
    return new RemoteError(
      'HOST_KEY_CHANGED',
      `The host key of ${t.host}:${t.port} changed: expected ${mismatch.expected}, the server presented ${mismatch.presented}. Nothing was sent to it; confirm the new fingerprint only if the host was reinstalled.`,
      { cause: err },
    );
  }
  if (e.level === 'client-authentication') {
    return new RemoteError('AUTH_FAILED', `${where} refused the key (check the user and that its public key is in authorized_keys).`, { cause: err });
  }
  if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') {
    return new RemoteError('HOST_UNREACHABLE', `${t.host}:${t.port} did not complete an SSH handshake in time.`, { cause: err });
  }
  if (e.level === 'client-dns' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    return new RemoteError('HOST_UNREACHABLE', `The host name ${t.host} does not resolve.`, { cause: err });
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') {
    return new RemoteError('HOST_UNREACHABLE', `Nothing answers SSH on ${t.host}:${t.port} (${e.code}).`, { cause: err });
  }
  // node's http says 'socket hang up' when the stream closed before an HTTP answer: SSH let us in,
  // but `docker system dial-stdio` on the host could not reach an engine (no docker CLI, no daemon,
  // or the user may not use its socket).
  if (message === 'socket hang up') {
    return new RemoteError('DOCKER_UNAVAILABLE', `${where} accepted the connection, but no Docker Engine answered through \`docker system dial-stdio\` (is Docker running there, and may ${t.user} use its socket?).`, { cause: err });
  }
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || /No response from server|Not connected|closed/i.test(message)) {
    return new RemoteError('CONNECTION_LOST', `The SSH connection to ${t.host}:${t.port} was lost.`, { cause: err });
  }
  return new RemoteError('CONNECTION_LOST', `The SSH connection to ${t.host}:${t.port} failed.`, { cause: err });
}
