import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { alertChannels, alertDeliveries } from '../db/schema/alerts';
import { FakeClock } from '../engine/test-support/fake-ports';
import { createAlerts } from './alerts';
import type { AlertEvent } from './events';
import { listAttempts } from './store';
import { AlertDeliveryError, realTransport, type Transport } from './transports';

const failed: AlertEvent = { kind: 'operation.failed', data: { operationId: 'op-1', operationKind: 'deploy', purpose: 'Upgrade 1.0.0 → 1.1.0', actor: 'a@example.com', error: { code: 'HEALTH_GATE_FAILED', message: 'platform unhealthy' }, path: '/deployments/op-1' } };

let temp: TempDb | null = null;
afterEach(() => {
  temp?.dispose();
  temp = null;
});

function world(transport: Transport) {
  temp = openTempDb('tc-alerts-');
  const clock = new FakeClock();
  const db = temp.db;
  const addChannel = (id: string, o: { enabled?: boolean; events?: string[]; kind?: 'webhook' | 'slack' | 'email'; config?: object; secret?: string | null } = {}) =>
    db.insert(alertChannels)
      .values({ id, name: `ch ${id}`, kind: o.kind ?? 'webhook', enabled: o.enabled ?? true, events: JSON.stringify(o.events ?? ['operation.failed']), config: JSON.stringify(o.config ?? { url: 'http://127.0.0.1:9/x' }), secret: o.secret === undefined ? 'a-secret-of-sixteen+' : o.secret, createdAt: clock.now(), updatedAt: clock.now(), updatedBy: null })
      .run();
  return { db, clock, addChannel, alerts: () => createAlerts({ db, clock, publicUrl: 'https://console.example.com', transport }) };
}

describe('the alert queue', () => {
  it('queues one delivery per enabled channel that chose the event, and sends each once', async () => {
    const sent: string[] = [];
    const w = world(async (channel) => void sent.push(channel.id));
    w.addChannel('a');
    w.addChannel('b', { events: ['operation.succeeded'] });
    w.addChannel('c', { enabled: false });
    w.addChannel('d', { events: ['backup.failed', 'operation.failed'] });
    const hub = w.alerts();
    hub.publish(failed);
    expect(await hub.runDue()).toBe(2);
    expect(sent.sort()).toEqual(['a', 'd']);
    expect(await hub.runDue()).toBe(0);
    expect(listAttempts(w.db, { limit: 10 }).map((a) => [a.channelId, a.ok, a.deliveryStatus])).toEqual(expect.arrayContaining([['a', true, 'sent'], ['d', true, 'sent']]));
  });

  it('retries a failure after 30 s, 2 min, 10 min and 1 h, logging each error, then gives up', async () => {
    let calls = 0;
    const w = world(async () => {
      calls++;
      throw new AlertDeliveryError('ALERT_UNREACHABLE', 'Webhook 127.0.0.1:9: connection refused.');
    });
    w.addChannel('a');
    const hub = w.alerts();
    hub.publish(failed);
    const gaps: number[] = [];
    let last = w.clock.now().getTime();
    for (const wait of [0, 29_000, 1_000, 120_000, 600_000, 3_600_000, 10 * 3_600_000]) {
      await w.clock.sleep(wait);
      const before = calls;
      await hub.runDue();
      if (calls > before) {
        gaps.push((w.clock.now().getTime() - last) / 1000);
        last = w.clock.now().getTime();
      }
    }
    expect(gaps).toEqual([0, 30, 120, 600, 3600]);
    const log = listAttempts(w.db, { limit: 10 });
    expect(log.map((a) => a.attempt)).toEqual([5, 4, 3, 2, 1]);
    expect(log.every((a) => a.error === 'Webhook 127.0.0.1:9: connection refused.')).toBe(true);
    expect(log[0]).toMatchObject({ deliveryStatus: 'failed', retried: false, nextAttemptAt: null });
    expect(log[1]).toMatchObject({ retried: true });
  });

  it('resumes pending deliveries in a new hub on the same database (a restarted console)', async () => {
    let fail = true;
    const sent: string[] = [];
    const w = world(async (_c, alert) => {
      if (fail) throw new AlertDeliveryError('ALERT_REFUSED', 'HTTP 503');
      sent.push(alert.kind);
    });
    w.addChannel('a');
    const first = w.alerts();
    first.publish(failed);
    await first.runDue();
    fail = false;
    await w.clock.sleep(30_000);
    const second = w.alerts();
    expect(await second.runDue()).toBe(1);
    expect(sent).toEqual(['operation.failed']);
  });

  it('does not send a pending delivery of a channel deleted or disabled meanwhile', async () => {
    const sent: string[] = [];
    const w = world(async (c) => void sent.push(c.id));
    w.addChannel('a');
    w.addChannel('b');
    const hub = w.alerts();
    hub.publish(failed);
    w.db.delete(alertChannels).run();
    await hub.runDue();
    expect(sent).toEqual([]);
    expect(listAttempts(w.db, { limit: 10 }).map((a) => [a.error, a.deliveryStatus])).toEqual([
      ['The channel was deleted; not sent.', 'failed'],
      ['The channel was deleted; not sent.', 'failed'],
    ]);
  });

  it('publishing never throws, even when the database refuses the row', () => {
    const w = world(async () => {});
    w.addChannel('a');
    const hub = w.alerts();
    temp!.sqlite.close();
    expect(() => hub.publish(failed)).not.toThrow();
  });

  it('a test send is one attempt, no retry, in the log as a test', async () => {
    const w = world(async () => {
      throw new AlertDeliveryError('ALERT_REFUSED', 'HTTP 404');
    });
    w.addChannel('a');
    const res = await w.alerts().sendTest('a');
    expect(res).toMatchObject({ ok: false, error: 'HTTP 404' });
    expect(w.db.select().from(alertDeliveries).all()).toMatchObject([{ test: true, status: 'failed', attempts: 1 }]);
  });
});

describe('the real transport', () => {
  it('scrubs the channel’s secret from an error the receiver echoes back', async () => {
    const secretUrl = (port: number) => `http://127.0.0.1:${port}/services/T000/B000/xoxb-a-very-secret-token`;
    const server = http.createServer((req, res) => {
      // A receiver that echoes its own URL (the Slack channel's credential) in its error.
      res.writeHead(500).end(`bad request to ${secretUrl((server.address() as AddressInfo).port)}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const channel = { id: 's', name: 's', enabled: true, events: ['operation.failed' as const], secret: secretUrl(port), kind: 'slack' as const, config: { host: `127.0.0.1:${port}` } };
      const err = await realTransport(channel, { ...failed, id: 'x', occurredAt: new Date().toISOString() }, { publicUrl: undefined, now: new Date() }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(AlertDeliveryError);
      expect((err as Error).message).toMatch(/^Webhook 127\.0\.0\.1:\d+ answered HTTP 500: bad request to \[redacted\]\.$/);
      expect((err as Error).message).not.toContain('xoxb');
    } finally {
      server.close();
    }
  });

  it('says a closed port in words', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const channel = { id: 'w', name: 'w', enabled: true, events: ['operation.failed' as const], secret: 'a-secret-of-sixteen+', kind: 'webhook' as const, config: { url: `http://127.0.0.1:${port}/hook` } };
    const err = await realTransport(channel, { ...failed, id: 'x', occurredAt: new Date().toISOString() }, { publicUrl: undefined, now: new Date() }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`Webhook 127.0.0.1:${port}: connection refused.`);
  });
});
