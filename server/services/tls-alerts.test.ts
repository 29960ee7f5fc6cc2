import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { alertDeliveries } from '../db/schema/alerts';
import type { CertificateTarget } from '../alerts/tls-certificate';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { createAlertChannel } from './alerts';
import { checkTlsExpiry } from './tls-alerts';

const admin = callerOf({ id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' } satisfies SessionUser);

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime();
});
afterEach(() => f.dispose());

const DAY = 86_400_000;

describe('the tls.expiring alert', () => {
  it('reads the proxy’s published HTTPS port with SNI = HOST, alerts once per certificate, and not with TLS_MODE=external', async () => {
    await createAlertChannel(f.rt, admin, { kind: 'webhook', name: 'tls', events: ['tls.expiring'], url: 'https://hooks.example.com/x', secret: 'a-secret-of-sixteen+' });
    const asked: CertificateTarget[] = [];
    let cert = { validTo: new Date(f.rt.clock.now().getTime() + 30 * DAY), fingerprint: 'AA' };
    const read = async (t: CertificateTarget) => (asked.push(t), cert);
    f.world.project.env = { ...f.world.project.env, HOST: 'tale.example.com', TLS_MODE: 'selfsigned' };
    f.world.project.override = { proxy: { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIp: '' }, { hostPort: 8443, containerPort: 443, protocol: 'tcp', hostIp: '' }] } };

    expect(await checkTlsExpiry(f.rt, read)).toBeNull();
    expect(asked).toEqual([{ port: 8443, servername: 'tale.example.com' }]);
    cert = { ...cert, validTo: new Date(f.rt.clock.now().getTime() + 10 * DAY) };
    expect(await checkTlsExpiry(f.rt, read)).toMatchObject({ kind: 'tls.expiring', data: { domain: 'tale.example.com', daysLeft: 10 } });
    expect(await checkTlsExpiry(f.rt, read)).toBeNull();
    // Renewed, and that one near its end too: alerts again.
    cert = { validTo: new Date(f.rt.clock.now().getTime() + 2 * DAY), fingerprint: 'BB' };
    expect(await checkTlsExpiry(f.rt, read)).toMatchObject({ data: { daysLeft: 2 } });
    expect(f.rt.db.select().from(alertDeliveries).all().map((r) => JSON.parse(r.payload).data.daysLeft)).toEqual([10, 2]);

    f.world.project.env = { ...f.world.project.env, TLS_MODE: 'external' };
    cert = { validTo: new Date(f.rt.clock.now().getTime()), fingerprint: 'CC' };
    expect(await checkTlsExpiry(f.rt, read)).toBeNull();
    expect(asked).toHaveLength(4);
  });
});
