import { describe, expect, it } from 'vitest';
import { RemoteError } from './remote-error';
import { mapSshError } from './ssh-errors';

const t = { user: 'deploy', host: 'prod.example.com', port: 2222 };
const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('mapSshError', () => {
  it('names both fingerprints when the verifier refused the host key', () => {
    const e = mapSshError(err('Host denied (verification failed)', { level: 'handshake' }), t, { expected: 'SHA256:old', presented: 'SHA256:new' });
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain('SHA256:old');
    expect(e.message).toContain('SHA256:new');
  });

  it('maps ssh2 levels and socket codes', () => {
    expect(mapSshError(err('All configured authentication methods failed', { level: 'client-authentication' }), t).code).toBe('AUTH_FAILED');
    expect(mapSshError(err('connect ECONNREFUSED', { level: 'client-socket', code: 'ECONNREFUSED' }), t).code).toBe('HOST_UNREACHABLE');
    expect(mapSshError(err('Timed out while waiting for handshake', { level: 'client-timeout' }), t).code).toBe('HOST_UNREACHABLE');
    expect(mapSshError(err('getaddrinfo ENOTFOUND', { level: 'client-dns', code: 'ENOTFOUND' }), t).code).toBe('HOST_UNREACHABLE');
    expect(mapSshError(err('read ECONNRESET', { level: 'client-socket', code: 'ECONNRESET' }), t).code).toBe('CONNECTION_LOST');
    expect(mapSshError(err('No response from server'), t).code).toBe('CONNECTION_LOST');
    expect(mapSshError(err('socket hang up', { code: 'ECONNRESET' }), t).code).toBe('DOCKER_UNAVAILABLE');
    expect(mapSshError(undefined, t).code).toBe('CONNECTION_LOST');
  });

  it('keeps a RemoteError as it is and never copies the original message', () => {
    const coded = new RemoteError('DIRECTORY_MISSING', 'x');
    expect(mapSshError(coded, t)).toBe(coded);
    const leaky = mapSshError(err('bad key -----BEGIN OPENSSH PRIVATE KEY----- abc', { level: 'client-authentication' }), t);
    expect(leaky.message).not.toContain('PRIVATE KEY');
    expect(leaky.cause).toBeDefined();
  });
});
