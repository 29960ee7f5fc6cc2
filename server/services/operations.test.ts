import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import type { SessionUser } from '@/lib/dto/user';
import { queryAudit } from '../db/audit-log';
import type { FakeDocker } from '../engine/test-support/fake-ports';
import { inProgress } from '../operations/conflicts';
import { listOperations } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { deploy } from '../engine/deploy';
import { PROXY_RESTART_SECONDS } from '../engine/proxy-restart';
import { cancel, previewPlan, startDeploy, startReset } from './operations';

// The deploy service end to end through the service layer: the role and two-step gates, the
// conflict table, the audit trail, the operations hub and the engine over the fake Docker.

const user = (role: SessionUser['role'], extra: Partial<SessionUser> = {}): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role, ...extra });
const operator = callerOf(user('operator'));

const BLUE = ['acme-rag-blue', 'acme-crawler-blue', 'acme-platform-blue'];

/** The operation's final state, heard through the hub as the console's event stream hears it. */
function ended(rt: Runtime, id: string): Promise<OperationDto> {
  return new Promise((resolve) => {
    let off = () => {};
    off = rt.operations.subscribe(id, 0, (m) => {
      if (!('end' in m)) return;
      queueMicrotask(() => off());
      resolve(m.end);
    });
  });
}

/** Holds every image pull until released: the deploy is then certainly still running. */
function holdPulls(docker: FakeDocker): { pulling: Promise<void>; release(): void } {
  let release = () => {};
  let started = () => {};
  const held = new Promise<void>((r) => (release = r));
  const pulling = new Promise<void>((r) => (started = r));
  const pull = docker.pullImage.bind(docker);
  docker.pullImage = async (ref, onProgress) => {
    started();
    await held;
    return pull(ref, onProgress);
  };
  return { pulling, release: () => release() };
}

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime();
});
afterEach(() => f.dispose());

describe('startDeploy through the service layer', () => {
  it("runs an operator's deploy to success, audited with the caller's address", async () => {
    const started = await startDeploy(f.rt, operator, { version: '1.0.0' });
    if (!started.ok) throw new Error(`refused: ${started.code}`);
    expect(started.data).toMatchObject({ kind: 'deploy', status: 'running' });

    const end = await ended(f.rt, started.data.id);
    expect(end).toMatchObject({ id: started.data.id, status: 'succeeded', result: { version: '1.0.0', color: 'blue' } });
    const created = f.world.docker.calls.filter((c) => c.startsWith('create ')).map((c) => c.slice('create '.length));
    expect(created).toEqual(expect.arrayContaining(BLUE));
    expect(f.world.project.colorFile).toBe('blue');
    expect(queryAudit(f.rt.db, { action: 'operations.deploy', limit: 10 })).toEqual([
      expect.objectContaining({ outcome: 'success', target: started.data.id, sourceIp: '203.0.113.7', actorEmail: 'operator@example.com', message: 'started' }),
    ]);
  });

  it.each([
    ['a viewer', callerOf(user('viewer')), 'FORBIDDEN'],
    ['a caller without a session', callerOf(null), 'UNAUTHENTICATED'],
    ['an admin who must first enrol two-step sign-in', callerOf(user('admin', { mustEnrolTotp: true })), 'TOTP_ENROLMENT_REQUIRED'],
  ])('refuses %s before anything starts', async (_who, caller, code) => {
    expect(await startDeploy(f.rt, caller, { version: '1.0.0' })).toMatchObject({ ok: false, code });
    expect(listOperations(f.rt.db)).toEqual([]);
    expect(f.world.docker.calls).toEqual([]);
  });

  it('refuses a second deploy or a reset while one runs, audits the refusal, and lets the first finish', async () => {
    const hold = holdPulls(f.world.docker);
    const first = await startDeploy(f.rt, operator, { version: '1.0.0' });
    if (!first.ok) throw new Error(`refused: ${first.code}`);
    await hold.pulling;

    expect(await startDeploy(f.rt, operator, { version: '2.0.0' })).toEqual(inProgress('deploy'));
    expect(await startReset(f.rt, operator, { projectId: 'acme', all: false, volumes: false })).toEqual(inProgress('deploy'));
    const denied = queryAudit(f.rt.db, { outcome: 'denied', limit: 10 });
    expect(denied.map((r) => r.action).sort()).toEqual(['operations.deploy', 'operations.reset']);
    for (const row of denied) expect(row).toMatchObject({ sourceIp: '203.0.113.7', message: 'another operation is running (deploy)', target: null });

    hold.release();
    expect(await ended(f.rt, first.data.id)).toMatchObject({ status: 'succeeded', result: { version: '1.0.0' } });
    expect(listOperations(f.rt.db).map((op) => op.kind)).toEqual(['deploy']);
  });

  it('cancels a running deploy', async () => {
    const hold = holdPulls(f.world.docker);
    const started = await startDeploy(f.rt, operator, { version: '1.0.0' });
    if (!started.ok) throw new Error(`refused: ${started.code}`);
    await hold.pulling;

    expect(await cancel(f.rt, operator, started.data.id)).toEqual({ ok: true, data: undefined });
    hold.release();
    const end = await ended(f.rt, started.data.id);
    expect(end).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(f.world.docker.calls.filter((c) => c.startsWith('create acme-platform'))).toEqual([]);
    expect(queryAudit(f.rt.db, { action: 'operations.cancel', limit: 10 })).toEqual([expect.objectContaining({ outcome: 'success', target: started.data.id })]);
  });
});

describe('previewPlan: the dialog is told when the site goes away while the proxy restarts', () => {
  it('gives the seconds for a plan that replaces the running proxy, and null for one that does not', async () => {
    await deploy(f.world, { version: '1.0.0' });
    const proxyUpdate = { kind: 'update', version: '1.0.0', services: ['proxy'] };
    const unchanged = await previewPlan(f.rt, operator, proxyUpdate);
    expect(unchanged).toMatchObject({ ok: true, data: { proxyRestartSeconds: null } });

    f.world.project.env = { ...f.world.project.env, TLS_MODE: 'external' };
    const changed = await previewPlan(f.rt, operator, proxyUpdate);
    expect(changed).toMatchObject({ ok: true, data: { proxyRestartSeconds: PROXY_RESTART_SECONDS } });
    if (changed.ok) expect(changed.data.steps).toContain('stop acme-proxy-retiring (up to 10 s)');
    // A blue-green deploy without infrastructure never touches the proxy.
    expect(await previewPlan(f.rt, operator, { kind: 'deploy', version: '2.0.0' })).toMatchObject({ ok: true, data: { proxyRestartSeconds: null } });
  });
});
