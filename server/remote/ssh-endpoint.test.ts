import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RemoteError } from './remote-error';
import { openSshEndpoint } from './ssh-endpoint';

// Port 9 of a TEST-NET address: nothing may be contacted; every case below fails before connecting.
const t = { user: 'deploy', host: '192.0.2.1', port: 9 };
const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const good = { privateKey, hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`, deployDir: '/srv/tale' };

async function code(o: Partial<typeof good>) {
  try {
    await openSshEndpoint(t, { ...good, ...o, timeoutMs: 1 });
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return e as RemoteError;
  }
  throw new Error('opened');
}

describe('openSshEndpoint input checks', () => {
  it('refuses a malformed pin, deployment directory or key before connecting', async () => {
    expect((await code({ hostKeyFingerprint: 'MD5:00:11' })).code).toBe('INVALID_ENDPOINT');
    expect((await code({ deployDir: 'srv/tale' })).code).toBe('INVALID_ENDPOINT');
    expect((await code({ deployDir: '/srv/../etc' })).code).toBe('INVALID_ENDPOINT');
    const bad = await code({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key-c2VjcmV0\n-----END OPENSSH PRIVATE KEY-----\n' });
    expect(bad.code).toBe('INVALID_ENDPOINT');
    expect(bad.message).not.toContain('c2VjcmV0');
  });
});
