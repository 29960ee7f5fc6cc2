import net from 'node:net';
import tls from 'node:tls';
import type { CertificateFacts } from './system-checks';

// Reads the certificate the stack's proxy serves, the way a browser would meet it: a TLS handshake
// to the proxy's published HTTPS port on this host with SNI = HOST (the proxy picks the certificate
// by name). Nothing is verified (rejectUnauthorized: false): a self-signed certificate is the point
// of TLS_MODE=selfsigned, and only its expiry date is read; no request is sent.

export type CertificateTarget = { port: number; servername: string; host?: string; timeoutMs?: number };

export function readCertificate(target: CertificateTarget): Promise<CertificateFacts> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.host ?? '127.0.0.1',
      port: target.port,
      // SNI may not be an IP address (RFC 6066): a HOST that is one is sent without.
      ...(net.isIP(target.servername) ? {} : { servername: target.servername }),
      rejectUnauthorized: false,
    });
    socket.setTimeout(target.timeoutMs ?? 10_000, () => socket.destroy(new Error(`No TLS handshake on ${target.host ?? '127.0.0.1'}:${target.port} within ${target.timeoutMs ?? 10_000} ms.`)));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      const validTo = new Date(cert.valid_to);
      if (!cert.valid_to || Number.isNaN(validTo.getTime())) return reject(new Error(`The certificate on port ${target.port} has no readable expiry date.`));
      resolve({ validTo, fingerprint: cert.fingerprint256 });
    });
    socket.once('error', reject);
  });
}
