import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { queryAudit } from '../db/audit-log';
import { eventsAfter } from '../operations/operation-store';
import { fakePreflightPort } from '../test-support/fake-preflight';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { previewPlan, startDeploy, startRollback } from './operations';
import { getPreflight } from './preflight';

// The preflight gate through the service layer: the server runs the checks itself before a deploy
// or rollback, refuses a failing one with PREFLIGHT_FAILED, and lets an override with a reason
// through, audited and in the timeline.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const operator = callerOf(user('operator'));
const held = fakePreflightPort({ portHolders: async (p) => (p === 80 ? [{ kind: 'process', name: 'nginx', pid: 321 }] : []) });

let f: FakeRuntime;
afterEach(() => f.dispose());

describe('the preflight gate', () => {
  it('lets a viewer read the checks, and a deploy start while none fails', async () => {
    f = fakeRuntime();
    const read = await getPreflight(f.rt, callerOf(user('viewer')));
    expect(read.ok && read.data.status).toBe('pass');
    const started = await startDeploy(f.rt, operator, { version: '1.0.0' });
    if (!started.ok) throw new Error(started.code);
    await ended(f.rt, started.data.id);
    expect(eventsAfter(f.rt.db, started.data.id, 0)[0]).toMatchObject({ step: 'preflight', status: 'succeeded' });
  });

  it('refuses a deploy and a rollback while a check fails, naming it and the override, audited', async () => {
    f = fakeRuntime({ preflight: held });
    const refused = await startDeploy(f.rt, operator, { version: '1.0.0' });
    expect(refused).toMatchObject({ ok: false, code: 'PREFLIGHT_FAILED', message: expect.stringMatching(/Port 80 is held by the process nginx \(pid 321\).*"overridePreflight"/) });
    expect(f.world.docker.calls.filter((c) => c.startsWith('create '))).toEqual([]);
    expect(await startRollback(f.rt, operator, {})).toMatchObject({ ok: false, code: 'PREFLIGHT_FAILED' });
    expect(queryAudit(f.rt.db, { action: 'operations.deploy', limit: 5 })[0]).toMatchObject({ outcome: 'denied', message: 'preflight failed: ports' });
  });

  it('starts with the override and a reason, recorded in the audit row and the timeline', async () => {
    f = fakeRuntime({ preflight: held });
    const reason = 'nginx moves away in a minute';
    expect(await startDeploy(f.rt, operator, { version: '1.0.0', overridePreflight: { reason: 'short' } })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    const started = await startDeploy(f.rt, operator, { version: '1.0.0', overridePreflight: { reason } });
    if (!started.ok) throw new Error(started.code);
    expect(started.data.params).toMatchObject({ overridePreflight: { reason, failing: ['ports'] } });
    await ended(f.rt, started.data.id);
    expect(eventsAfter(f.rt.db, started.data.id, 0)[0]).toMatchObject({ step: 'preflight', status: 'skipped' });
    expect(JSON.parse(eventsAfter(f.rt.db, started.data.id, 0)[0]!.data!)).toEqual({ failing: ['ports'], reason });
    expect(queryAudit(f.rt.db, { action: 'operations.deploy', limit: 5 })[0]).toMatchObject({ outcome: 'success', params: expect.stringContaining(reason) });
  });

  it('shows the preflight in the deploy dialog’s plan', async () => {
    f = fakeRuntime({ preflight: held });
    const plan = await previewPlan(f.rt, operator, { kind: 'deploy', version: '1.0.0' });
    expect(plan.ok && plan.data.preflight?.failing).toEqual(['ports']);
  });
});
