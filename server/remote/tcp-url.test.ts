import { describe, expect, it } from 'vitest';
import { RemoteError } from './remote-error';
import { formatTcpUrl, parseTcpUrl } from './tcp-url';

function rejects(url: string) {
  try {
    parseTcpUrl(url);
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return (e as RemoteError).code;
  }
  throw new Error(`${url} was accepted`);
}

describe('parseTcpUrl', () => {
  it('reads host and port (2376 by default)', () => {
    expect(parseTcpUrl('tcp://docker.example.com')).toEqual({ host: 'docker.example.com', port: 2376 });
    expect(parseTcpUrl('tcp://10.0.0.5:12376')).toEqual({ host: '10.0.0.5', port: 12376 });
    expect(parseTcpUrl(' TCP://Docker.Example.com:2376/ ')).toEqual({ host: 'docker.example.com', port: 2376 });
    expect(parseTcpUrl('tcp://[2001:db8::1]:2400')).toEqual({ host: '2001:db8::1', port: 2400 });
    expect(parseTcpUrl('tcp://[::1]')).toEqual({ host: '::1', port: 2376 });
  });

  it('refuses anything else with INVALID_ENDPOINT', () => {
    for (const url of [
      '',
      'docker.example.com:2376',
      'ssh://deploy@host',
      'https://host:2376',
      'unix:///var/run/docker.sock',
      'tcp://',
      'tcp://user@host:2376',
      'tcp://user:secret@host:2376',
      'tcp://host:2376/v1.45',
      'tcp://host:2376?tls=0',
      'tcp://host:2376#x',
      'tcp://host:0',
      'tcp://host:65536',
      'tcp://host:-1',
      'tcp://ho st',
      'tcp://-host',
      'tcp://host_name',
      'tcp://2001:db8::1',
      'tcp://host;rm -rf /',
      `tcp://${'a'.repeat(300)}`,
    ]) {
      expect(rejects(url), url).toBe('INVALID_ENDPOINT');
    }
  });
});

describe('formatTcpUrl', () => {
  it('always writes the port and brackets IPv6, so one engine has one spelling', () => {
    expect(formatTcpUrl(parseTcpUrl('tcp://Host'))).toBe('tcp://host:2376');
    expect(formatTcpUrl(parseTcpUrl('tcp://[2001:DB8::1]:2400'))).toBe('tcp://[2001:db8::1]:2400');
    expect(formatTcpUrl(parseTcpUrl('tcp://127.0.0.1:2376'))).toBe('tcp://127.0.0.1:2376');
  });
});
