import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { CodedError } from '@/lib/errors';
import { queryAudit } from '../db/audit-log';
import { alertChannels, alertDeliveries } from '../db/schema/alerts';
import { verify } from '../alerts/signature';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { alertThresholds, createAlertChannel, deleteAlertChannel, listAlertChannels, listAlertDeliveries, testAlertChannel, updateAlertChannel } from './alerts';

// The alert channels through the service layer: who may do what, secrets that never come back out,
// and the one hook that turns every finished operation into an alert.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const operator = callerOf(user('operator'));
const viewer = callerOf(user('viewer'));

const SECRET = 'whsec-0123456789abcdef-unit';
const webhook = (url = 'https://hooks.example.com/tale') => ({ kind: 'webhook', name: 'ops hook', events: ['operation.failed'], url, secret: SECRET });
const mail = { kind: 'email', name: 'mail', events: ['operation.failed'], host: 'smtp.example.com', port: 587, security: 'starttls', user: 'tale', password: 'smtp-password-unit', from: 'tale@example.com', to: ['ops@example.com'] };

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime();
});
afterEach(() => f.dispose());

describe('alert thresholds', () => {
  it('every role reads the thresholds in force (from the environment)', () => {
    expect(alertThresholds(f.rt, viewer)).toEqual({ healthThresholdSeconds: 300, diskPercent: 90, memoryPercent: 90, diskPath: f.deployDir, checkSeconds: 300, tlsDays: 14 });
  });
});

describe('alert channels', () => {
  it('only an admin adds, changes, tests or removes one; every role reads them', async () => {
    for (const caller of [operator, viewer, callerOf(null)]) {
      expect(await createAlertChannel(f.rt, caller, webhook())).toMatchObject({ ok: false, code: caller.user ? 'FORBIDDEN' : 'UNAUTHENTICATED' });
    }
    const created = await createAlertChannel(f.rt, admin, webhook());
    expect(created.ok).toBe(true);
    const id = created.ok ? created.data.id : '';
    for (const caller of [operator, viewer]) {
      expect(await updateAlertChannel(f.rt, caller, { id, channel: webhook() })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await deleteAlertChannel(f.rt, caller, { id })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await testAlertChannel(f.rt, caller, { id })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(listAlertChannels(f.rt, caller).map((c) => c.id)).toEqual([id]);
      expect(listAlertDeliveries(f.rt, caller)).toEqual([]);
    }
    expect(() => listAlertChannels(f.rt, callerOf(null))).toThrow(CodedError);
  });

  it('never returns or audits a secret, and keeps a stored one when the field is left out', async () => {
    const created = await createAlertChannel(f.rt, admin, mail);
    if (!created.ok) throw new Error(created.message);
    expect(created.data).toMatchObject({ secretSet: true, target: 'smtp.example.com:587', settings: { user: 'tale', to: ['ops@example.com'] } });
    const withoutPassword: Record<string, unknown> = { ...mail };
    delete withoutPassword.password;
    const kept = await updateAlertChannel(f.rt, admin, { id: created.data.id, channel: { ...withoutPassword, name: 'mail 2' } });
    expect(kept).toMatchObject({ ok: true, data: { name: 'mail 2', secretSet: true } });
    expect(f.rt.db.select().from(alertChannels).get()?.secret).toBe('smtp-password-unit');
    // Another user: the stored password was given for "tale", so a new one is asked for.
    expect(await updateAlertChannel(f.rt, admin, { id: created.data.id, channel: { ...withoutPassword, user: 'other' } })).toMatchObject({ ok: false, fieldErrors: { 'channel.password': [expect.any(String)] } });
    const slack = await createAlertChannel(f.rt, admin, { kind: 'slack', name: 's', events: ['backup.failed'], url: 'https://hooks.slack.com/services/T0/B0/slack-token-unit' });
    expect(slack).toMatchObject({ ok: true, data: { target: 'hooks.slack.com', secretSet: true } });
    const everything = JSON.stringify([listAlertChannels(f.rt, viewer), queryAudit(f.rt.db, { limit: 100 }), created, kept, slack]);
    for (const secret of ['smtp-password-unit', 'slack-token-unit']) expect(everything).not.toContain(secret);
    expect(queryAudit(f.rt.db, { limit: 100 }).map((a) => a.action)).toEqual(expect.arrayContaining(['alerts.channel_create', 'alerts.channel_update']));
  });

  it('asks for the secret on a new webhook and refuses bad input with field errors', async () => {
    const noSecret: Record<string, unknown> = webhook();
    delete noSecret.secret;
    expect(await createAlertChannel(f.rt, admin, noSecret)).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { secret: [expect.any(String)] } });
    expect(await createAlertChannel(f.rt, admin, { ...webhook(), url: 'https://u:p@example.com/' })).toMatchObject({ ok: false, fieldErrors: { url: [expect.any(String)] } });
    expect(await createAlertChannel(f.rt, admin, null)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await updateAlertChannel(f.rt, admin, { id: '00000000-0000-4000-8000-000000000000', channel: webhook() })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('"Send test" delivers a signed webhook now and answers the outcome', async () => {
    const received: { ok: boolean; body: Record<string, unknown> }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const ok = verify(SECRET, String(req.headers['x-tale-timestamp']), body, String(req.headers['x-tale-signature']), Math.floor(Date.now() / 1000), 10 ** 9);
        received.push({ ok, body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(ok ? 204 : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const created = await createAlertChannel(f.rt, admin, webhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`));
      if (!created.ok) throw new Error(created.message);
      const res = await testAlertChannel(f.rt, admin, { id: created.data.id });
      expect(res).toMatchObject({ ok: true, data: { ok: true, error: null } });
      expect(received).toMatchObject([{ ok: true, body: { version: 1, event: 'operation.failed', test: true } }]);
      expect(listAlertDeliveries(f.rt, viewer)).toMatchObject([{ test: true, ok: true, attempt: 1 }]);
    } finally {
      server.close();
    }
  });
});

describe('operations publish alerts', () => {
  it('a failed operation queues exactly one delivery per channel that chose it; a success only for those that chose successes', async () => {
    await createAlertChannel(f.rt, admin, webhook());
    await createAlertChannel(f.rt, admin, { ...mail, events: ['operation.failed', 'operation.succeeded'] });
    await createAlertChannel(f.rt, admin, { ...webhook(), name: 'backups only', events: ['backup.failed'] });
    const op = f.rt.operations.start({ kind: 'cleanup', params: {}, actor: null }, async () => {
      throw new CodedError('CLEANUP_FAILED', 'it broke');
    });
    if ('busy' in op) throw new Error('busy');
    expect((await ended(f.rt, op.id)).status).toBe('failed');
    const rows = f.rt.db.select().from(alertDeliveries).all();
    expect(rows.map((r) => [r.channelName, r.event, r.status])).toEqual([
      ['ops hook', 'operation.failed', 'pending'],
      ['mail', 'operation.failed', 'pending'],
    ]);
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ kind: 'operation.failed', data: { operationId: op.id, operationKind: 'cleanup', error: { code: 'CLEANUP_FAILED', message: 'it broke' } } });

    const ok = f.rt.operations.start({ kind: 'cleanup', params: {}, actor: null }, async () => ({}));
    if ('busy' in ok) throw new Error('busy');
    await ended(f.rt, ok.id);
    expect(f.rt.db.select().from(alertDeliveries).all().map((r) => r.event)).toEqual(['operation.failed', 'operation.failed', 'operation.succeeded']);
  });

  it('a failed backup is a backup.failed alert', async () => {
    await createAlertChannel(f.rt, admin, { ...webhook(), events: ['backup.failed'] });
    const op = f.rt.operations.start({ kind: 'backup', params: {}, actor: null }, async () => {
      throw new CodedError('BACKUP_TOOL_FAILED', 'restic broke');
    });
    if ('busy' in op) throw new Error('busy');
    await ended(f.rt, op.id);
    expect(f.rt.db.select().from(alertDeliveries).all().map((r) => r.event)).toEqual(['backup.failed']);
  });
});
