import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { queryAudit } from '../db/audit-log';
import type { FakeDocker } from '../engine/test-support/fake-ports';
import { inProgress } from '../operations/conflicts';
import { listOperations } from '../operations/operation-store';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { deploy } from '../engine/deploy';
import { PROXY_RESTART_SECONDS } from '../engine/proxy-restart';
import { cancel, previewPlan, startDeploy, startReset, startRollback, startUpdate } from './operations';

// The deploy service end to end through the service layer: the role and two-step gates, the
// conflict table, the audit trail, the operations hub and the engine over the fake Docker.

const user = (role: SessionUser['role'], extra: Partial<SessionUser> = {}): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role, ...extra });
const operator = callerOf(user('operator'));

const BLUE = ['acme-rag-blue', 'acme-crawler-blue', 'acme-platform-blue'];


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
    expect(listOperations(f.rt.db, 'local')).toEqual([]);
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
    expect(listOperations(f.rt.db, 'local').map((op) => op.kind)).toEqual(['deploy']);
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

describe('a downgrade needs allowDowngrade, as the dialog needs its confirmation', () => {
  // No backup repository here: the backup gate (backup-gate.test.ts) is skipped with a reason.
  const skipBackup = { reason: 'the gate is tested in backup-gate.test.ts' };
  async function deployed(version: string): Promise<void> {
    const started = await startDeploy(f.rt, operator, { version, skipBackup });
    if (!started.ok) throw new Error(`refused: ${started.code}`);
    expect(await ended(f.rt, started.data.id)).toMatchObject({ status: 'succeeded' });
  }

  it('refuses an older version without the flag, naming both versions and the flag; nothing starts', async () => {
    await deployed('2.0.0');
    const before = listOperations(f.rt.db, 'local').length;
    const calls = f.world.docker.calls.length;
    for (const refused of [await startDeploy(f.rt, operator, { version: '1.0.0' }), await startUpdate(f.rt, operator, { version: 'v1.0.0', services: ['platform'] })]) {
      expect(refused).toMatchObject({ ok: false, code: 'DOWNGRADE_NOT_CONFIRMED' });
      if (refused.ok) continue;
      expect(refused.message).toMatch(/1\.0\.0 is older than the live version 2\.0\.0/);
      expect(refused.message).toContain('"allowDowngrade": true');
    }
    expect(listOperations(f.rt.db, 'local')).toHaveLength(before);
    expect(f.world.docker.calls.slice(calls).filter((c) => !c.startsWith('inspect'))).toEqual([]);
    const denied = queryAudit(f.rt.db, { outcome: 'denied', limit: 10 });
    expect(denied.map((r) => [r.action, r.message])).toEqual(
      expect.arrayContaining([
        ['operations.deploy', 'downgrade from 2.0.0 to 1.0.0 not confirmed'],
        ['operations.update', 'downgrade from 2.0.0 to v1.0.0 not confirmed'],
      ]),
    );
  });

  it('judges a deploy without a version by the newest tag, as the engine picks it', async () => {
    await deployed('3.0.0');
    f.world.registry.versions = ['1.0.0', '2.0.0']; // 3.0.0 withdrawn from the registry
    expect(await startDeploy(f.rt, operator, {})).toMatchObject({ ok: false, code: 'DOWNGRADE_NOT_CONFIRMED', message: expect.stringMatching(/^2\.0\.0 is older than the live version 3\.0\.0/) });
    const confirmed = await startDeploy(f.rt, operator, { allowDowngrade: true, skipBackup });
    if (!confirmed.ok) throw new Error(`refused: ${confirmed.code}`);
    expect(await ended(f.rt, confirmed.data.id)).toMatchObject({ status: 'succeeded', result: { version: '2.0.0' } });
  });

  it('deploys the older version with the flag, recorded in its params', async () => {
    await deployed('2.0.0');
    const started = await startDeploy(f.rt, operator, { version: '1.0.0', allowDowngrade: true, skipBackup });
    if (!started.ok) throw new Error(`refused: ${started.code}`);
    expect(started.data.params).toMatchObject({ version: '1.0.0', allowDowngrade: true });
    expect(await ended(f.rt, started.data.id)).toMatchObject({ status: 'succeeded', result: { version: '1.0.0', previousVersion: '2.0.0' } });
  });

  it('needs no flag for an upgrade, the same version, a first deploy, a dry run or a rollback', async () => {
    const planned = async () => {
      const dry = await startDeploy(f.rt, operator, { version: '1.0.0', dryRun: true });
      if (!dry.ok) throw new Error(`refused: ${dry.code}`);
      expect(await ended(f.rt, dry.data.id)).toMatchObject({ kind: 'dry-run', status: 'succeeded' });
    };
    await planned();
    await deployed('2.0.0');
    await deployed('2.0.0');
    await deployed('3.0.0');
    await planned();
    const back = await startRollback(f.rt, operator, { skipBackup });
    if (!back.ok) throw new Error(`refused: ${back.code}`);
    expect(await ended(f.rt, back.data.id)).toMatchObject({ status: 'succeeded', result: { version: '2.0.0' } });
  });
});
