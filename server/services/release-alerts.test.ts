import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { alertDeliveries } from '../db/schema/alerts';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { createAlertChannel } from './alerts';
import { startDeploy } from './operations';
import { checkNewRelease } from './release-alerts';

const admin = callerOf({ id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' } satisfies SessionUser);

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime();
});
afterEach(() => f.dispose());

describe('the release.available alert', () => {
  it('alerts once per newer release, and nothing before a deploy', async () => {
    await createAlertChannel(f.rt, admin, { kind: 'webhook', name: 'releases', events: ['release.available'], url: 'https://hooks.example.com/x', secret: 'a-secret-of-sixteen+' });
    expect(await checkNewRelease(f.rt)).toBeNull();
    const started = await startDeploy(f.rt, admin, { version: '1.0.0' });
    if (!started.ok) throw new Error(started.message);
    await ended(f.rt, started.data.id);
    expect(await checkNewRelease(f.rt)).toBe('3.0.0');
    expect(await checkNewRelease(f.rt)).toBeNull();
    f.world.registry.versions.push('4.0.0');
    expect(await checkNewRelease(f.rt)).toBe('4.0.0');
    const rows = f.rt.db.select().from(alertDeliveries).all();
    expect(rows.map((r) => JSON.parse(r.payload).data)).toEqual([
      { version: '3.0.0', current: '1.0.0' },
      { version: '4.0.0', current: '1.0.0' },
    ]);
  });
});
