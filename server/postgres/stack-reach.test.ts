import { describe, expect, it } from 'vitest';
import type { ConnectTarget } from './connection';
import { classifyHost, loopbackRefusal, probeEnv, probeOutcome, PROBE_ARGV, psqlReason } from './stack-reach';

const target: ConnectTarget = { host: '172.17.0.1', port: 32768, user: 'postgres', password: 'adm!n p@ss', database: 'postgres', sslMode: 'disable' };
const net = { hostAddress: '172.17.0.1', subnet: '172.18.0.0/16' };

describe('classifyHost', () => {
  it('calls every loopback spelling loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'db.localhost', 'localhost.', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(classifyHost(h), h).toBe('loopback');
    }
  });

  it('calls the "any" addresses unspecified', () => {
    for (const h of ['0.0.0.0', '::', '0:0:0:0:0:0:0:0']) expect(classifyHost(h), h).toBe('unspecified');
  });

  it('leaves addresses other machines and containers can dial alone', () => {
    for (const h of ['172.17.0.1', '10.0.0.5', '128.0.0.1', 'pg.example.com', 'localhost-db', 'mylocalhost', 'fd00::1', '::2', '1::', 'host.docker.internal', '12.7.0.1']) {
      expect(classifyHost(h), h).toBe('other');
    }
  });
});

describe('the refusal', () => {
  it('says why and names the bridge address and subnet to use instead', () => {
    const err = loopbackRefusal('127.0.0.1', net);
    expect(err.code).toBe('DB_UNREACHABLE_FROM_STACK');
    expect(err.message).toContain('127.0.0.1 is a loopback address');
    expect(err.message).toContain("inside Tale's containers it means the container itself");
    expect(err.message).toContain("the host's address on the Docker bridge, 172.17.0.1");
    expect(err.message).toContain('pg_hba.conf must allow 172.18.0.0/16');
  });

  it('still says what to enter when the bridge is unknown', () => {
    expect(loopbackRefusal('0.0.0.0', { hostAddress: null, subnet: null }).message).toMatch(/0\.0\.0\.0 names no particular server.*gateway of the docker0 network/);
  });
});

describe('the probe', () => {
  it('carries the password in the environment only', () => {
    const env = probeEnv(target);
    expect(env).toMatchObject({ PGHOST: '172.17.0.1', PGPORT: '32768', PGUSER: 'postgres', PGPASSWORD: 'adm!n p@ss', PGDATABASE: 'postgres', PGSSLMODE: 'disable' });
    expect(PROBE_ARGV.join(' ')).not.toContain('p@ss');
    expect(probeEnv({ ...target, sslMode: 'verify-full', caCert: 'x' }).PGSSLMODE).toBe('require');
  });

  it('reads the version on success', () => {
    expect(probeOutcome(target, { exitCode: 0, stdout: '17.5\n', stderr: '' }, net)).toEqual({ serverVersion: '17.5' });
  });

  it('turns psql errors into coded errors that say what Tale met', () => {
    const refused = 'psql: error: connection to server at "172.17.0.1", port 32768 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n';
    expect(() => probeOutcome(target, { exitCode: 2, stdout: '', stderr: refused }, net)).toThrow(
      expect.objectContaining({ code: 'DB_UNREACHABLE_FROM_STACK', message: expect.stringMatching(/^Tale's containers cannot reach 172\.17\.0\.1:32768: connection to server .* Connection refused\. Enter the host's address/) }),
    );
    const hba = 'psql: error: connection to server at "172.17.0.1", port 32768 failed: FATAL:  no pg_hba.conf entry for host "172.18.0.2", user "postgres", database "postgres", no encryption';
    expect(() => probeOutcome(target, { exitCode: 2, stdout: '', stderr: hba }, net)).toThrow(
      expect.objectContaining({ code: 'PG_AUTH_FAILED', message: expect.stringContaining('pg_hba.conf must allow 172.18.0.0/16') }),
    );
    expect(() => probeOutcome(target, { exitCode: null, stdout: '', stderr: 'no answer within 45 s' }, net)).toThrow(expect.objectContaining({ code: 'DB_UNREACHABLE_FROM_STACK' }));
  });

  it('keeps the first line of psql only', () => {
    expect(psqlReason('\npsql: error: could not translate host name "pg" to address: Name or service not known\nmore')).toBe(
      'could not translate host name "pg" to address: Name or service not known',
    );
    expect(psqlReason('')).toBe('psql gave no reason');
  });
});
