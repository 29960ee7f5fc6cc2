import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import type { OperationDto } from '@/lib/dto/operations';
import { alertDeliveries } from '../db/schema/alerts';
import { consoleSettings } from '../db/schema/console-settings';
import { describe as words, operationAlert, type PublishedAlert } from '../alerts/events';
import { webhookBody } from '../alerts/payload';
import type { CertificateTarget } from '../alerts/tls-certificate';
import { insertEnvironment } from '../environments/store';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { createAlertChannel } from './alerts';
import { startDeploy } from './operations';
import { checkNewRelease } from './release-alerts';
import { checkTlsExpiry } from './tls-alerts';

// Alerts of an environment other than the local one: told by its name (an unhealthy staging must
// not read like production), linked to its own pages, and checked (releases, certificates) on its
// own, with what was alerted kept apart from the local environment's.

const admin = callerOf({ id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' } satisfies SessionUser);
const STAGING = { id: 'staging', name: 'Staging', colour: 'amber' as const, kind: 'ssh' as const, production: false, host: '192.0.2.7' };

let f: FakeRuntime | null = null;
afterEach(() => f?.dispose());

function stagingRuntime(): FakeRuntime {
  f = fakeRuntime({ environment: STAGING });
  insertEnvironment(f.rt.db, {
    id: STAGING.id,
    name: STAGING.name,
    colour: STAGING.colour,
    kind: 'ssh',
    sshUser: 'tale',
    sshHost: STAGING.host,
    sshPort: 22,
    deployDir: '/srv/tale',
    hostKeyAlgorithm: 'ssh-ed25519',
    production: false,
    hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
    createdAt: new Date(Date.UTC(2026, 0, 1)),
    createdBy: 'admin@example.com',
  });
  return f;
}

const payloads = (fr: FakeRuntime) => fr.rt.db.select().from(alertDeliveries).all().map((r) => JSON.parse(r.payload) as PublishedAlert);

describe("an environment's alerts", () => {
  it('start with its name, and the webhook body names it; the local one reads as before', () => {
    const event = { kind: 'container.unhealthy' as const, data: { service: 'rag', container: 'tl-rag-blue', since: '2026-12-04T05:00:00Z', thresholdMinutes: 5, thresholdSeconds: 300 } };
    const local = words({ ...event, environmentId: 'local' });
    expect(local.title).toBe('rag unhealthy for more than 5 min');
    const staging = words({ ...event, environmentId: 'staging', environmentName: 'Staging' });
    expect(staging.title).toBe('[Staging] rag unhealthy for more than 5 min');
    expect(staging.text).toMatch(/^Staging: tl-rag-blue has been unhealthy/);
    const published = { ...event, environmentId: 'staging', environmentName: 'Staging', id: 'a1', occurredAt: '2026-12-04T05:06:00Z' };
    expect(JSON.parse(webhookBody(published, undefined))).toMatchObject({ title: '[Staging] rag unhealthy for more than 5 min', environment: { id: 'staging', name: 'Staging' } });
    expect(JSON.parse(webhookBody({ ...published, environmentId: 'local', environmentName: undefined }, undefined)).environment).toBeNull();
  });

  it("link an operation to its page in its own environment", () => {
    const op = { id: 'op-1', kind: 'deploy', status: 'failed', purpose: 'Upgrade', actor: null, error: { code: 'X', message: 'x' } } as unknown as OperationDto;
    expect(operationAlert({ ...op, environmentId: 'staging' })!.data).toMatchObject({ path: '/deployments/op-1?env=staging' });
    expect(operationAlert({ ...op, environmentId: 'local' })!.data).toMatchObject({ path: '/deployments/op-1' });
  });

  it('are published under its id and name by the shared hub, and each environment keeps what it alerted', async () => {
    const s = stagingRuntime();
    await createAlertChannel(s.rt, admin, { kind: 'webhook', name: 'all', events: ['release.available'], url: 'https://hooks.example.com/x', secret: 'a-secret-of-sixteen+' });
    const started = await startDeploy(s.rt, admin, { version: '1.0.0' });
    if (!started.ok) throw new Error(started.message);
    await ended(s.rt, started.data.id);
    expect(await checkNewRelease(s.rt)).toBe('3.0.0');
    expect(payloads(s)).toEqual([expect.objectContaining({ kind: 'release.available', environmentId: 'staging', environmentName: 'Staging' })]);
    // Its own record of what was alerted: the local environment's key is untouched.
    expect(await checkNewRelease(s.rt)).toBeNull();
    const keys = s.rt.db.select({ key: consoleSettings.key }).from(consoleSettings).all().map((r) => r.key);
    expect(keys.filter((k) => k.startsWith('alerts.release-notified'))).toEqual(['alerts.release-notified:staging']);
  });

  it("read its proxy's certificate on its own host", async () => {
    const s = stagingRuntime();
    const asked: CertificateTarget[] = [];
    s.world.project.env = { ...s.world.project.env, HOST: 'staging.example.com', TLS_MODE: 'selfsigned' };
    const read = async (t: CertificateTarget) => (asked.push(t), { validTo: new Date(s.rt.clock.now().getTime() + 2 * 86_400_000), fingerprint: 'BB' });
    expect(await checkTlsExpiry(s.rt, read)).toMatchObject({ kind: 'tls.expiring', environmentId: 'staging', data: { domain: 'staging.example.com', daysLeft: 2 } });
    expect(asked).toEqual([{ port: 443, servername: 'staging.example.com', host: '192.0.2.7' }]);
  });
});
