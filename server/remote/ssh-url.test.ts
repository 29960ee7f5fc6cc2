import { describe, expect, it } from 'vitest';
import { RemoteError } from './remote-error';
import { formatSshUrl, parseSshUrl } from './ssh-url';

function rejects(url: string) {
  try {
    parseSshUrl(url);
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return (e as RemoteError).code;
  }
  throw new Error(`${url} was accepted`);
}

describe('parseSshUrl', () => {
  it('reads user, host and port (22 by default)', () => {
    expect(parseSshUrl('ssh://deploy@prod.example.com')).toEqual({ user: 'deploy', host: 'prod.example.com', port: 22 });
    expect(parseSshUrl('ssh://deploy@10.0.0.5:2222')).toEqual({ user: 'deploy', host: '10.0.0.5', port: 2222 });
    expect(parseSshUrl('SSH://deploy@Host:22/')).toEqual({ user: 'deploy', host: 'host', port: 22 });
    expect(parseSshUrl('ssh://root@[2001:db8::1]:2200')).toEqual({ user: 'root', host: '2001:db8::1', port: 2200 });
  });

  it('refuses anything else with INVALID_ENDPOINT', () => {
    for (const url of [
      '',
      'deploy@host',
      'tcp://host:2375',
      'ssh://host',
      'ssh://deploy:secret@host',
      'ssh://deploy@host/var/lib',
      'ssh://deploy@host?x=1',
      'ssh://deploy@host#x',
      'ssh://deploy@host:0',
      'ssh://deploy@host:65536',
      'ssh://-oProxyCommand=x@host',
      'ssh://de%20ploy@host',
      'ssh://deploy@-host',
      'ssh://deploy@ho_st',
      `ssh://deploy@${'a'.repeat(300)}`,
    ]) {
      expect(rejects(url), url).toBe('INVALID_ENDPOINT');
    }
  });

  it('formats back to the canonical URL', () => {
    expect(formatSshUrl(parseSshUrl('ssh://deploy@host:22'))).toBe('ssh://deploy@host');
    expect(formatSshUrl(parseSshUrl('ssh://deploy@[::1]:2222'))).toBe('ssh://deploy@[::1]:2222');
  });
});
