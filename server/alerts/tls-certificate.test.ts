import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import net, { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from './tls-certificate';

// A real TLS server on loopback with two self-signed certificates (openssl), chosen by SNI as the
// proxy chooses by HOST: the reader must get the one for the name it asked, and its real expiry.

const run = promisify(execFile);
let dir: string;
let server: tls.Server;
let port: number;

async function selfSigned(name: string, days: number): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${name}`]);
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-tls-'));
  const fallback = await selfSigned('default.test', 300);
  const named = await selfSigned('tale.example.test', 5);
  server = tls.createServer({ ...fallback, SNICallback: (name, cb) => cb(null, name === 'tale.example.test' ? tls.createSecureContext(named) : undefined) }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const days = (d: Date) => (d.getTime() - Date.now()) / 86_400_000;

describe('readCertificate', () => {
  it('reads the expiry and fingerprint of the certificate served for the SNI name', async () => {
    const named = await readCertificate({ port, servername: 'tale.example.test' });
    expect(days(named.validTo)).toBeGreaterThan(4);
    expect(days(named.validTo)).toBeLessThanOrEqual(5);
    expect(named.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const other = await readCertificate({ port, servername: 'other.example.test' });
    expect(days(other.validTo)).toBeGreaterThan(299);
    expect(other.fingerprint).not.toBe(named.fingerprint);
    // An IP address as HOST: no SNI, the default certificate.
    expect((await readCertificate({ port, servername: '127.0.0.1' })).fingerprint).toBe(other.fingerprint);
  });

  it('fails when nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(readCertificate({ port: free, servername: 'tale.example.test' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
