import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { CodedError } from '@/lib/errors';
import { queryAudit } from '../db/audit-log';
import type { PullProgress } from '../engine/ports';
import { listOperations } from '../operations/operation-store';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { startDeploy } from './operations';
import { getPrePull, prePullRound, prePullStatus, prePullTarget, setPrePull } from './pre-pull';

// The background pre-pull: which release it picks (the one-click upgrade's: newest complete,
// newer than the live one, not failed here, nothing when off), the operation it runs as the
// system, its status, and the deploy that then finds the images already here.

const operator = callerOf({ id: 'u-op', email: 'operator@example.com', name: 'op', role: 'operator' } satisfies SessionUser);
const admin = callerOf({ id: 'u-ad', email: 'admin@example.com', name: 'ad', role: 'admin' } satisfies SessionUser);
const SKIP = { skipBackup: { reason: 'the backup gate has its own tests' } };

let f: FakeRuntime;
let layers = 1_000;
beforeEach(() => {
  layers = 1_000;
  // Each reading of the layer storage after a pull has grown by what the pull added.
  f = fakeRuntime({ layerBytes: async () => layers }); // the fake registry has 1.0.0, 2.0.0 and 3.0.0
});
afterEach(() => f.dispose());

async function deployed(version: string, extra: Record<string, unknown> = {}) {
  const started = await startDeploy(f.rt, operator, { ...SKIP, version, ...extra });
  if (!started.ok) throw new Error(`refused: ${started.code} ${started.message}`);
  return ended(f.rt, started.data.id);
}

async function roundToEnd() {
  const round = await prePullRound(f.rt);
  if (!('started' in round)) throw new Error(`no pre-pull started: ${JSON.stringify(round)}`);
  return ended(f.rt, round.started);
}

const prePulls = () => listOperations(f.rt.db, 'local').filter((op) => op.kind === 'pre-pull');

describe('which release is pre-pulled', () => {
  it('none before anything is deployed', async () => {
    expect(await prePullTarget(f.rt)).toEqual({ none: 'nothing is deployed yet' });
  });

  it('the newest complete release above the live one', async () => {
    await deployed('1.0.0');
    expect(await prePullTarget(f.rt)).toEqual({ version: '3.0.0', live: '1.0.0' });
    // 3.0.0 lacks an image (still being pushed): the newest complete one instead.
    const resolve = f.world.registry.resolveVersion.bind(f.world.registry);
    f.world.registry.resolveVersion = async (registry, version) => {
      if (version === '3.0.0') throw new CodedError('REGISTRY_TAG_NOT_FOUND', 'tale-rag:3.0.0 is not in the registry');
      return resolve(registry, version);
    };
    f.rt.cache.clear();
    expect(await prePullTarget(f.rt)).toEqual({ version: '2.0.0', live: '1.0.0' });
  });

  it('nothing when the live version is the newest', async () => {
    await deployed('3.0.0');
    expect(await prePullTarget(f.rt)).toEqual({ none: 'no newer release than 3.0.0' });
  });

  it('never a release that failed its health gate here', async () => {
    await deployed('1.0.0');
    f.world.docker.behaviourFor = (spec) => (spec.image.includes(':3.0.0') && spec.service === 'platform' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
    expect((await deployed('3.0.0')).status).toBe('failed');
    f.world.docker.behaviourFor = () => ({ kind: 'healthy', afterPolls: 1 });
    expect(await prePullTarget(f.rt)).toEqual({ version: '2.0.0', live: '1.0.0' });
  });

  it('nothing when an admin turned it off, and the round says so', async () => {
    await deployed('1.0.0');
    const off = await setPrePull(f.rt, admin, { enabled: false });
    expect(off).toMatchObject({ ok: true, data: { enabled: false, state: 'off', updatedBy: 'admin@example.com' } });
    expect(await prePullRound(f.rt)).toEqual({ none: 'background pre-pull is off' });
    expect(prePulls()).toEqual([]);
    expect(f.world.docker.calls.filter((c) => c.includes(':3.0.0'))).toEqual([]);
    expect((await getPrePull(f.rt, operator)).lastCheck).toMatchObject({ outcome: 'background pre-pull is off' });
  });
});

describe('a pre-pull round', () => {
  it('pulls the six images by digest as the system, once, and the upgrade then pulls nothing', async () => {
    await deployed('1.0.0');
    const pull = f.world.docker.pullImage.bind(f.world.docker);
    f.world.docker.pullImage = async (ref: string, onProgress: (p: PullProgress) => void) => {
      await pull(ref, onProgress);
      layers += 250; // what this image added to the layer storage
    };
    const op = await roundToEnd();
    expect(op).toMatchObject({ kind: 'pre-pull', status: 'succeeded', actor: null, purpose: 'Pre-pull the images of 3.0.0 in the background', result: { version: '3.0.0', pulled: 6, bytes: 1_500 } });
    const pulls = f.world.docker.calls.filter((c) => c.startsWith('pull ') && c.includes(':3.0.0'));
    expect(pulls).toHaveLength(6);
    for (const p of pulls) expect(p).toMatch(/:3\.0\.0@sha256:[0-9a-f]{64}$/);
    expect(await prePullStatus(f.rt)).toMatchObject({ state: 'ready', version: '3.0.0', bytes: 1_500, operationId: op.id, finishedAt: op.finishedAt });

    // The next round finds them here: no second operation.
    expect(await prePullRound(f.rt)).toEqual({ present: '3.0.0' });
    expect(prePulls()).toHaveLength(1);

    f.world.docker.calls.length = 0;
    const upgrade = await deployed('3.0.0');
    expect(upgrade.status).toBe('succeeded');
    expect(f.world.docker.calls.filter((c) => c.startsWith('pull '))).toEqual([]);
    // Now live: nothing newer to show.
    expect(await prePullStatus(f.rt)).toMatchObject({ state: 'idle', version: null });
  });

  it('fails with the cause when a pull fails, never as a crash, and the next round tries again', async () => {
    await deployed('1.0.0');
    const pull = f.world.docker.pullImage.bind(f.world.docker);
    f.world.docker.pullImage = async (ref: string, onProgress: (p: PullProgress) => void) => {
      if (ref.includes('tale-rag:3.0.0')) throw new Error('manifest unknown');
      return pull(ref, onProgress);
    };
    const failed = await roundToEnd();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'PRE_PULL_FAILED', message: expect.stringContaining('tale-rag:3.0.0') } });
    expect(failed.error?.message).toContain('manifest unknown');
    expect(await prePullStatus(f.rt)).toMatchObject({ state: 'failed', version: '3.0.0', error: { code: 'PRE_PULL_FAILED' } });

    f.world.docker.pullImage = pull;
    expect((await roundToEnd()).status).toBe('succeeded');
    expect(await prePullStatus(f.rt)).toMatchObject({ state: 'ready', version: '3.0.0' });
  });
});

describe('the setting', () => {
  it('is on by default, changed by an admin only, audited, and refuses bad input', async () => {
    expect(await getPrePull(f.rt, operator)).toMatchObject({ enabled: true, intervalMinutes: 15, state: 'idle', updatedBy: null });
    expect(await setPrePull(f.rt, operator, { enabled: false })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await setPrePull(f.rt, admin, { enabled: 'no' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await setPrePull(f.rt, admin, { enabled: true, intervalMinutes: 1 })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await setPrePull(f.rt, admin, { enabled: true, extra: 1 })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await setPrePull(f.rt, admin, { enabled: true, intervalMinutes: 60 })).toMatchObject({ ok: true, data: { enabled: true, intervalMinutes: 60 } });
    expect(await setPrePull(f.rt, admin, { enabled: false })).toMatchObject({ ok: true, data: { enabled: false, intervalMinutes: 60, state: 'off' } });
    const rows = queryAudit(f.rt.db, { action: 'releases.prepull', limit: 10 });
    expect(rows.map((r) => [r.actorEmail, r.params])).toEqual([
      ['admin@example.com', JSON.stringify({ enabled: false, intervalMinutes: 60 })],
      ['admin@example.com', JSON.stringify({ enabled: true, intervalMinutes: 60 })],
    ]);
  });
});
