import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verify } from '../../server/alerts/signature';

// Real receivers on loopback for the alert tests: an HTTP endpoint that checks the webhook's
// signature as docs/alerts.md tells a receiver to, and an SMTP server that demands AUTH.

/** `at`: when it arrived (Date.now()), for the tests' delays from an event to its delivery. */
export type WebhookRequest = { path: string; headers: http.IncomingHttpHeaders; body: string; verified: boolean; json: Record<string, unknown>; at: number };

export async function startWebhookReceiver(secret: string): Promise<{ url: string; port: number; requests: WebhookRequest[]; stop(): Promise<void> }> {
  const requests: WebhookRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const verified = verify(secret, String(req.headers['x-tale-timestamp'] ?? ''), body, String(req.headers['x-tale-signature'] ?? ''), Math.floor(Date.now() / 1000));
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // kept as an empty object: the test asserts on it
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body, verified, json, at: Date.now() });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/tale`, port, requests, stop: () => new Promise((r) => server.close(() => r())) };
}

export type ReceivedMail = { from: string; to: string[]; user: string | null; raw: string; at: number };

/** An SMTP server on 127.0.0.1 that accepts only `user`/`password` (AUTH over plain text, as a local relay would). */
export async function startSmtpServer(user: string, password: string): Promise<{ port: number; mails: ReceivedMail[]; refusedLogins: number; stop(): Promise<void> }> {
  const state = { mails: [] as ReceivedMail[], refusedLogins: 0 };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      state.refusedLogins++;
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        state.mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: (session.user as string | undefined) ?? null, raw, at: Date.now() });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails: state.mails,
    get refusedLogins() {
      return state.refusedLogins;
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
