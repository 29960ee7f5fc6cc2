import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { CodedError } from '@/lib/errors';
import { queryAudit } from '../db/audit-log';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { failedReleases } from './failed-releases';
import { previewPlan, startDeploy } from './operations';
import { liveOverview } from './overview';
import { releases } from './releases';

// A release that failed its health gate here is marked wherever it is offered and is never the
// one-click upgrade until an operator retries it on purpose; a later success clears the mark.

const operator = callerOf({ id: 'u-op', email: 'operator@example.com', name: 'op', role: 'operator' } satisfies SessionUser);

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime(); // the fake registry has 1.0.0, 2.0.0 and 3.0.0
});
afterEach(() => f.dispose());

/** The backup gate is backup-gate.test.ts's subject: these deploys skip it, with their reason. */
const SKIP = { skipBackup: { reason: 'the backup gate has its own tests' } };

async function run(input: Record<string, unknown>) {
  const started = await startDeploy(f.rt, operator, { ...SKIP, ...input });
  if (!started.ok) throw new Error(`refused: ${started.code} ${started.message}`);
  return ended(f.rt, started.data.id);
}

/** 1.0.0 live, then a deploy of 3.0.0 whose platform never turns healthy. */
async function failedThree() {
  expect((await run({ version: '1.0.0' })).status).toBe('succeeded');
  f.world.docker.behaviourFor = (spec) => (spec.image.includes(':3.0.0') && spec.service === 'platform' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
  const failed = await run({ version: '3.0.0' });
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'HEALTH_CHECK_TIMEOUT' } });
  return failed;
}

describe('failed-release mark', () => {
  it('marks a release that failed its health gate, and offers the newest other one as the upgrade', async () => {
    // Before: 3.0.0 is the one-click upgrade.
    expect((await run({ version: '1.0.0' })).status).toBe('succeeded');
    expect((await liveOverview(f.rt)).registry).toMatchObject({ reachable: true, newer: '3.0.0', failedHere: [] });
    f.world.docker.behaviourFor = (spec) => (spec.image.includes(':3.0.0') && spec.service === 'platform' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
    const failed = await run({ version: '3.0.0' });
    expect(failed.status).toBe('failed');

    const mark = { operationId: failed.id, code: 'HEALTH_CHECK_TIMEOUT', at: failed.finishedAt, message: expect.stringContaining('did not become healthy') };
    expect(failedReleases(f.rt.db, 'local').get('3.0.0')).toEqual(mark);
    const registry = (await liveOverview(f.rt)).registry;
    expect(registry).toMatchObject({ reachable: true, newer: '2.0.0', failedHere: [{ version: '3.0.0', ...mark }] });
    const list = await releases(f.rt, '1.0.0', null);
    expect(list.find((r) => r.version === '3.0.0')?.failedHere).toEqual(mark);
    expect(list.find((r) => r.version === '2.0.0')?.failedHere).toBeNull();
    const preview = await previewPlan(f.rt, operator, { kind: 'deploy', version: '3.0.0' });
    expect(preview.ok && preview.data.failedHere).toEqual(mark);
  });

  it('refuses to deploy it again without retryFailedRelease, also when no version is named, and audits the refusal', async () => {
    const failed = await failedThree();
    for (const input of [{ version: '3.0.0' }, {}]) {
      const refused = await startDeploy(f.rt, operator, input);
      expect(refused).toMatchObject({ ok: false, code: 'FAILED_RELEASE_NOT_CONFIRMED', message: expect.stringContaining(failed.id) });
    }
    expect(queryAudit(f.rt.db, { outcome: 'denied', limit: 10 }).map((r) => r.message)).toEqual([
      'retry of 3.0.0, which failed here, not confirmed',
      'retry of 3.0.0, which failed here, not confirmed',
    ]);
    // A dry run plans it without the flag.
    expect((await run({ version: '3.0.0', dryRun: true })).status).toBe('succeeded');
  });

  it('clears the mark when a deliberate retry succeeds', async () => {
    await failedThree();
    f.world.docker.behaviourFor = () => ({ kind: 'healthy', afterPolls: 1 });
    const retried = await run({ version: '3.0.0', retryFailedRelease: true });
    expect(retried).toMatchObject({ status: 'succeeded', params: { retryFailedRelease: true } });
    expect(failedReleases(f.rt.db, 'local').size).toBe(0);
    const again = await startDeploy(f.rt, operator, { version: '3.0.0' });
    expect(again).toMatchObject({ ok: true });
    if (again.ok) await ended(f.rt, again.data.id);
  });

  it('does not mark a release whose deploy failed for another reason', async () => {
    expect((await run({ version: '1.0.0' })).status).toBe('succeeded');
    f.world.registry.resolveVersion = async () => {
      throw new CodedError('REGISTRY_UNREACHABLE', 'registry down');
    };
    expect((await run({ version: '2.0.0' })).status).toBe('failed');
    expect(failedReleases(f.rt.db, 'local').size).toBe(0);
  });
});
