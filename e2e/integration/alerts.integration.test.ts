import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertAttemptDto, AlertChannelDto } from '@/lib/dto/alerts';
import type { OperationDto } from '@/lib/dto/operations';
import { freeLoopbackPort } from '../fixtures/free-port';
import { startSmtpServer, startWebhookReceiver } from '../support/alert-receivers';
import { startConsole, type RunningConsole } from '../support/console';
import { followToEnd } from '../support/sse-client';

// Alerts end to end: a built console, a real SMTP server with AUTH and an HTTP receiver that checks
// the signature, both on loopback. The operation that fails is a cleanup in a console without a
// project (it fails for real, at once, and needs no Docker test bed). Beside the two good channels,
// one with a wrong SMTP password and one webhook on a closed port: each must say why in the
// delivery log, be retried after 30 s, and change nothing for the operation or the other channels.

const WEBHOOK_SECRET = 'whsec-integration-0123456789abcdef';
const SMTP_PASSWORD = 'smtp-integration-password-42';
const WRONG_PASSWORD = 'not-the-smtp-password-99';

let app: RunningConsole;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let closedPort: number;

beforeAll(async () => {
  hook = await startWebhookReceiver(WEBHOOK_SECRET);
  smtp = await startSmtpServer('tale', SMTP_PASSWORD);
  closedPort = await freeLoopbackPort();
  app = await startConsole();
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await hook?.stop();
  await smtp?.stop();
});

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T; text: string }> => {
  const res = await fetch(`${app.baseURL}${path}`, { method, headers: { Cookie: app.cookie, Origin: app.baseURL, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T, text };
};

const email = (name: string, password: string) => ({ kind: 'email', name, events: ['operation.failed'], host: '127.0.0.1', port: smtp.port, security: 'none', user: 'tale', password, from: 'tale@example.com', to: ['ops@example.com'] });
const log = async () => (await api<{ attempts: AlertAttemptDto[] }>('GET', '/api/v1/alerts/deliveries')).json.attempts;
const of = (attempts: AlertAttemptDto[], channel: string) => attempts.filter((a) => a.channelName === channel && !a.test).sort((a, b) => a.attempt - b.attempt);

describe('alerts', () => {
  it('one failed operation: one signed webhook and one email received, bad channels logged and retried, the operation not held up', async () => {
    const created: string[] = [];
    for (const channel of [
      { kind: 'webhook', name: 'good hook', events: ['operation.failed'], url: hook.url, secret: WEBHOOK_SECRET },
      email('good mail', SMTP_PASSWORD),
      email('wrong password', WRONG_PASSWORD),
      { kind: 'webhook', name: 'closed port', events: ['operation.failed'], url: `http://127.0.0.1:${closedPort}/hook`, secret: WEBHOOK_SECRET },
      { kind: 'webhook', name: 'successes only', events: ['operation.succeeded'], url: hook.url, secret: WEBHOOK_SECRET },
    ]) {
      const res = await api<AlertChannelDto>('POST', '/api/v1/alerts/channels', channel);
      expect(res.status, res.text).toBe(201);
      created.push(res.json.id);
    }
    const listed = await api<{ channels: AlertChannelDto[] }>('GET', '/api/v1/alerts/channels');
    expect(listed.json.channels.map((c) => [c.name, c.secretSet])).toEqual([
      ['good hook', true],
      ['good mail', true],
      ['wrong password', true],
      ['closed port', true],
      ['successes only', true],
    ]);

    const started = Date.now();
    const res = await api<OperationDto>('POST', '/api/v1/cleanups', {});
    expect(res.status, res.text).toBe(202);
    const { end } = await followToEnd(`${app.baseURL}/api/operations/${res.json.id}/events`, { cookie: app.cookie, timeoutMs: 60_000, context: () => app.output().slice(-2000) });
    console.log(`[alerts] the failing cleanup ended in ${Date.now() - started} ms`);
    expect(end.status).toBe('failed');
    expect(end.error?.code).toBe('PROJECT_NOT_FOUND');

    // Exactly one of each reaches the good receivers.
    await expect.poll(() => hook.requests.length + smtp.mails.length, { timeout: 30_000, interval: 200 }).toBe(2);
    console.log(`[alerts] webhook and email received ${Date.now() - started} ms after the start`);
    const [req] = hook.requests;
    expect(req!.verified).toBe(true);
    expect(req!.headers['x-tale-event']).toBe('operation.failed');
    expect(req!.json).toMatchObject({ version: 1, event: 'operation.failed', test: false, severity: 'critical', link: `/deployments/${end.id}`, data: { operationId: end.id, operationKind: 'cleanup', error: { code: 'PROJECT_NOT_FOUND' } } });
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({ from: 'tale@example.com', to: ['ops@example.com'], user: 'tale' });
    expect(mail!.raw).toMatch(/^Subject: \[Tale Console\] Failed: /m);
    // The text is quoted-printable: its soft line breaks (`=` at a line's end) are not part of it.
    expect(mail!.raw.replace(/=\r?\n/g, '')).toContain(`/deployments/${end.id}`);

    // The bad channels: a clear error each, a retry scheduled, and the operation had ended before.
    await expect.poll(async () => (await log()).filter((a) => !a.ok).length, { timeout: 30_000, interval: 300 }).toBeGreaterThanOrEqual(2);
    let attempts = await log();
    const wrong = of(attempts, 'wrong password');
    const closed = of(attempts, 'closed port');
    expect(wrong[0]).toMatchObject({ attempt: 1, ok: false, deliveryStatus: 'pending' });
    expect(wrong[0]!.error).toMatch(/^SMTP 127\.0\.0\.1:\d+ refused the sign-in as tale: 535 .*Invalid username or password.*Check the user and password\.$/);
    expect(closed[0]).toMatchObject({ attempt: 1, ok: false, deliveryStatus: 'pending', error: `Webhook 127.0.0.1:${closedPort}: connection refused.` });
    for (const a of [wrong[0]!, closed[0]!]) {
      expect(Date.parse(a.at)).toBeGreaterThanOrEqual(Date.parse(end.finishedAt!));
      expect(Date.parse(a.nextAttemptAt!) - Date.parse(a.at)).toBe(30_000);
    }

    // Retried after 30 s, still failing with the same words; the good channels got nothing more.
    await expect.poll(async () => of(await log(), 'wrong password').length + of(await log(), 'closed port').length, { timeout: 90_000, interval: 1000 }).toBe(4);
    attempts = await log();
    for (const name of ['wrong password', 'closed port']) {
      const [first, second] = of(attempts, name);
      expect(second).toMatchObject({ attempt: 2, ok: false, error: first!.error, deliveryStatus: 'pending' });
      expect(first!.retried).toBe(true);
      console.log(`[alerts] ${name}: retried ${Date.parse(second!.at) - Date.parse(first!.at)} ms after the first attempt`);
    }
    expect(smtp.refusedLogins).toBe(2);
    expect(hook.requests).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    expect(of(attempts, 'good hook').map((a) => [a.attempt, a.ok])).toEqual([[1, true]]);
    expect(of(attempts, 'good mail').map((a) => [a.attempt, a.ok])).toEqual([[1, true]]);
    expect(of(attempts, 'successes only')).toEqual([]);

    // No secret in any answer, the log or the console's output.
    const everything = [JSON.stringify(attempts), (await api('GET', '/api/v1/alerts/channels')).text, (await api('GET', '/api/v1/audit')).text, app.output()].join('\n');
    for (const secret of [WEBHOOK_SECRET, SMTP_PASSWORD, WRONG_PASSWORD]) expect(everything).not.toContain(secret);
  }, 240_000);

  it('"Send test" delivers once now and answers the outcome; a wrong password says so', async () => {
    const channels = (await api<{ channels: AlertChannelDto[] }>('GET', '/api/v1/alerts/channels')).json.channels;
    const good = channels.find((c) => c.name === 'good mail')!;
    const before = smtp.mails.length;
    const ok = await api<{ ok: boolean; error: string | null; durationMs: number }>('POST', `/api/v1/alerts/channels/${good.id}/test`, {});
    expect(ok.json).toMatchObject({ ok: true, error: null });
    console.log(`[alerts] a test email took ${ok.json.durationMs} ms`);
    expect(smtp.mails).toHaveLength(before + 1);
    expect(smtp.mails.at(-1)!.raw).toMatch(/^Subject: \[Tale Console\] \[test\] /m);
    const bad = channels.find((c) => c.name === 'wrong password')!;
    const refused = await api<{ ok: boolean; error: string }>('POST', `/api/v1/alerts/channels/${bad.id}/test`, {});
    expect(refused.json.ok).toBe(false);
    expect(refused.json.error).toMatch(/refused the sign-in as tale/);
    const del = await api('DELETE', `/api/v1/alerts/channels/${bad.id}`);
    expect(del.status).toBe(204);
  });
});
