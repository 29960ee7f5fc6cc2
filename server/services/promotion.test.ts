import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import type { PromotionPreviewDto } from '@/lib/dto/promotion';
import type { SessionUser } from '@/lib/dto/user';
import { createPassword } from '../backup/repository-password';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from '../backup/test-support/memory-ports';
import { queryAudit } from '../db/audit-log';
import { healthIncidents } from '../db/schema/health';
import { deploy } from '../engine/deploy';
import { digestOf } from '../engine/test-support/fake-ports';
import { eventsAfter } from '../operations/operation-store';
import { fakePreflightPort } from '../test-support/fake-preflight';
import type { Runtime } from '../runtime';
import { ALL_SERVICES } from '../stack/types';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { listBackups } from './backups';
import { failedReleases } from './failed-releases';
import { startDeploy } from './operations';
import { previewPromotion, startPromotion } from './promotion';

// Promotion from a source runtime (local, 1.0.0 deployed) to a destination runtime: the deploy
// there pins the source's recorded digests even when the destination's registry now answers other
// digests for the same tag; the checks refuse an unproven, an absent or an identical release.

const operator = callerOf({ id: 'u-op', email: 'operator@example.com', name: 'op', role: 'operator' } satisfies SessionUser);
const SKIP = { skipBackup: { reason: 'the backup gate has its own tests' } };

let source: FakeRuntime;
let dest: FakeRuntime;
let staging: Runtime;
const runtimeOf = async (id: string) => {
  if (id === 'local') return source.rt;
  throw Object.assign(new (await import('@/lib/errors')).CodedError('ENVIRONMENT_NOT_FOUND', 'There is no such environment.'));
};

beforeEach(() => {
  source = fakeRuntime();
  dest = fakeRuntime();
  // The destination acts as another environment (its own id and name, production).
  staging = { ...dest.rt, environment: { id: 'staging', name: 'Staging', colour: 'amber', kind: 'ssh', production: true } };
});
afterEach(() => {
  source.dispose();
  dest.dispose();
});

async function deploySource(version = '1.0.0') {
  const started = await startDeploy(source.rt, operator, { version, ...SKIP });
  if (!started.ok) throw new Error(started.message);
  expect((await ended(source.rt, started.data.id)).status).toBe('succeeded');
}

describe('promotion', () => {
  it('refuses a source with no live release', async () => {
    const r = await previewPromotion(staging, operator, { from: 'local' }, runtimeOf);
    expect(r).toMatchObject({ ok: false, code: 'PROMOTION_SOURCE_NOT_LIVE' });
  });

  it('deploys the source’s recorded digests even when the destination’s registry moved the tag; then there is nothing to do', async () => {
    await deploySource();
    const moved = { version: '1.0.0', digests: Object.fromEntries(ALL_SERVICES.map((s) => [s, digestOf('9.9.9', s)])) as Record<(typeof ALL_SERVICES)[number], string> };
    dest.world.registry.resolveVersion = async () => moved;
    const preview = await previewPromotion(staging, operator, { from: 'local' }, runtimeOf);
    expect(preview.ok && preview.data.source.release).toMatchObject({ version: '1.0.0', digests: { platform: digestOf('1.0.0', 'platform') } });

    const wrongName = await startPromotion(staging, operator, { from: 'local', confirmName: 'staging' }, runtimeOf);
    expect(wrongName).toMatchObject({ ok: false, code: 'CONFIRMATION_MISMATCH' });
    const started = await startPromotion(staging, operator, { from: 'local', confirmName: 'Staging' }, runtimeOf);
    if (!started.ok) throw new Error(started.message);
    const op = await ended(dest.rt, (started.data as OperationDto).id);
    expect(op).toMatchObject({ kind: 'promote', status: 'succeeded', params: { from: 'local', version: '1.0.0' } });
    const record = (await dest.rt.project.readReleases())[0]!;
    for (const s of ALL_SERVICES) expect(record.digests[s]).toBe(digestOf('1.0.0', s));

    const again = await startPromotion(staging, operator, { from: 'local', confirmName: 'Staging' }, runtimeOf);
    expect(again).toMatchObject({ ok: false, code: 'PROMOTION_NOTHING_TO_DO' });
    expect(queryAudit(dest.rt.db, { action: 'deployment.promote', limit: 10 }).map((e) => e.outcome).reverse()).toEqual(['denied', 'success', 'denied']);
  });

  it('shows .env differences with secret values only as redacted', async () => {
    await deploySource();
    Object.assign(source.world.project.env, { DRAIN_TIMEOUT: '7', DB_PASSWORD: 'source-secret-1' });
    Object.assign(dest.world.project.env, { DRAIN_TIMEOUT: '9', DB_PASSWORD: 'dest-secret-2' });
    dest.world.project.override = { platform: { image: 'ghcr.io/x/tale-platform:pinned' } } as typeof dest.world.project.override;
    const r = await previewPromotion(staging, operator, { from: 'local' }, runtimeOf);
    if (!r.ok) throw new Error(r.message);
    const env = (r.data as PromotionPreviewDto).env;
    expect(env).toContainEqual({ key: 'DRAIN_TIMEOUT', kind: 'changed', before: '7', after: '9', secret: false });
    expect(env.find((e) => e.key === 'DB_PASSWORD')).toMatchObject({ secret: true });
    expect((r.data as PromotionPreviewDto).pins).toEqual([{ service: 'platform', source: null, destination: 'ghcr.io/x/tale-platform:pinned' }]);
    expect(JSON.stringify(r)).not.toContain('source-secret-1');
    expect(JSON.stringify(r)).not.toContain('dest-secret-2');
  });

  it('refuses an unproven release, saying how long it ran and when its last incident was', async () => {
    await deploySource();
    const at = new Date((await source.rt.project.readReleases())[0]!.at);
    await dest.world.clock.sleep(90 * 60_000);
    const clean = await previewPromotion(staging, operator, { from: 'local', minCleanMinutes: 60 }, runtimeOf);
    expect(clean.ok && clean.data.blocked).toBeNull();
    // A container died 50 minutes after the release went live: clean for only 40 minutes since.
    dest.rt.db.insert(healthIncidents).values({ environmentId: 'local', at: new Date(at.getTime() + 50 * 60_000), kind: 'die', container: 'x-platform-blue', service: 'platform' }).run();
    // An incident of another environment does not count against this one.
    dest.rt.db.insert(healthIncidents).values({ environmentId: 'other', at: new Date(at.getTime() + 80 * 60_000), kind: 'oom', container: 'y-platform-blue', service: 'platform' }).run();
    const r = await startPromotion(staging, operator, { from: 'local', minCleanMinutes: 60, confirmName: 'Staging' }, runtimeOf);
    expect(r).toMatchObject({ ok: false, code: 'PROMOTION_NOT_PROVEN' });
    expect(!r.ok && r.message).toMatch(/has run this release for 90 min; its last incident was at \S+, 40 min ago\. The promotion asks for 60 min/);
  });

  it('refuses an unknown source and invalid input', async () => {
    expect(await previewPromotion(staging, operator, { from: 'nowhere' }, runtimeOf)).toMatchObject({ ok: false, code: 'ENVIRONMENT_NOT_FOUND' });
    expect(await previewPromotion(staging, operator, { from: 'local', minCleanMinutes: -1 }, runtimeOf)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await previewPromotion(staging, operator, { from: 'staging' }, runtimeOf)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });
});

describe('promotion through the destination’s gates, as an upgrade there', () => {
  /** A destination with backup ports and 1.0.0 live (deployed through the engine: no gate for the set-up); the source runs 2.0.0. */
  let repo: MemoryRepository;
  async function overLive(opts: Parameters<typeof fakeRuntime>[0] = {}) {
    dest.dispose();
    repo = new MemoryRepository();
    dest = fakeRuntime({ exec: new FakeDbContainer(), backups: { repo, volumes: new MemoryVolumes(), readProjectFiles: async () => ({ 'tale.json': Buffer.from('{}') }) }, ...opts });
    staging = { ...dest.rt, environment: { id: 'staging', name: 'Staging', colour: 'amber', kind: 'ssh', production: false } };
    await deploy(dest.world, { version: '1.0.0' });
    await deploySource('2.0.0');
  }
  const steps = (id: string) => eventsAfter(dest.rt.db, id, 0).map((e) => ({ step: e.step, status: e.status, data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null }));
  const creates = () => dest.world.docker.calls.filter((c) => c.startsWith('create '));

  it('takes the pre-upgrade backup before the first change when it changes the live version', async () => {
    await overLive();
    repo.initialised = false;
    // The dialog's preview says a backup comes first and that there is no repository for it yet.
    const preview = await previewPromotion(staging, operator, { from: 'local' }, runtimeOf);
    expect(preview.ok && preview.data.backup).toEqual({ required: true, repository: 'none', last: null });
    // No repository yet: refused at once, as an upgrade is, audited as the promotion's refusal.
    const created = creates().length;
    const refused = await startPromotion(staging, operator, { from: 'local' }, runtimeOf);
    expect(refused).toMatchObject({ ok: false, code: 'BACKUP_GATE_NO_REPOSITORY', message: expect.stringContaining('before a promotion') });
    expect(creates()).toHaveLength(created);
    expect(queryAudit(dest.rt.db, { action: 'deployment.promote', limit: 1 })[0]).toMatchObject({ outcome: 'denied', message: 'no backup repository yet for the pre-upgrade backup' });

    // An admin took the first backup: the repository and its password exist.
    repo.initialised = true;
    await createPassword(dest.rt.env.backup.passwordFile);
    const started = await startPromotion(staging, operator, { from: 'local' }, runtimeOf);
    if (!started.ok) throw new Error(started.message);
    const op = await ended(dest.rt, (started.data as OperationDto).id);
    expect(op, JSON.stringify(op.error)).toMatchObject({ kind: 'promote', status: 'succeeded', result: { version: '2.0.0', backup: expect.any(String), backupId: expect.any(String) } });
    const [backup] = (await listBackups(dest.rt, operator)).backups;
    expect(backup).toMatchObject({ id: op.result?.backup, kind: 'pre-upgrade', startedBy: 'operator@example.com', release: { version: '1.0.0' } });
    const s = steps(op.id);
    expect(s[0]).toMatchObject({ step: 'preflight', status: 'succeeded' });
    const gate = s.filter((e) => e.step === 'pre-upgrade-backup');
    expect(gate.map((e) => e.status)).toEqual(['started', 'succeeded']);
    expect(gate[1]!.data).toMatchObject({ from: '1.0.0', to: '2.0.0', backup: backup?.id });
    // The backup came before anything of the new release was created.
    expect(s.findIndex((e) => e.step === 'pre-upgrade-backup' && e.status === 'succeeded')).toBeLessThan(s.findIndex((e) => e.step === 'start'));
  });

  it('skips the backup only with a typed reason, recorded in its params, timeline and result', async () => {
    await overLive();
    expect(await startPromotion(staging, operator, { from: 'local', skipBackup: { reason: 'short' } }, runtimeOf)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    const reason = 'staging is rebuilt from scratch every night';
    const started = await startPromotion(staging, operator, { from: 'local', skipBackup: { reason } }, runtimeOf);
    if (!started.ok) throw new Error(started.message);
    const op = await ended(dest.rt, (started.data as OperationDto).id);
    expect(op).toMatchObject({ status: 'succeeded', params: { skipBackup: { reason } }, result: { backupSkipped: reason } });
    expect(steps(op.id).find((e) => e.step === 'pre-upgrade-backup')).toMatchObject({ status: 'skipped', data: { from: '1.0.0', to: '2.0.0', reason } });
    expect(queryAudit(dest.rt.db, { action: 'deployment.promote', limit: 1 })[0]).toMatchObject({ outcome: 'success', params: expect.stringContaining(reason) });
  });

  it('runs the destination’s preflight: refused while a check fails, started when overridden with a reason', async () => {
    await overLive({ preflight: fakePreflightPort({ portHolders: async (p) => (p === 80 ? [{ kind: 'process', name: 'nginx', pid: 321 }] : []) }) });
    const skipBackup = { reason: 'the backup gate has its own test above' };
    const preview = await previewPromotion(staging, operator, { from: 'local' }, runtimeOf);
    expect(preview.ok && preview.data.preflight.failing).toEqual(['ports']);
    const created = creates().length;
    const refused = await startPromotion(staging, operator, { from: 'local', skipBackup }, runtimeOf);
    expect(refused).toMatchObject({ ok: false, code: 'PREFLIGHT_FAILED', message: expect.stringMatching(/so the promotion did not start.*nginx \(pid 321\)/) });
    expect(creates()).toHaveLength(created);
    expect(queryAudit(dest.rt.db, { action: 'deployment.promote', limit: 1 })[0]).toMatchObject({ outcome: 'denied', message: 'preflight failed: ports' });

    const reason = 'nginx moves away in a minute';
    const started = await startPromotion(staging, operator, { from: 'local', skipBackup, overridePreflight: { reason } }, runtimeOf);
    if (!started.ok) throw new Error(started.message);
    const op = await ended(dest.rt, (started.data as OperationDto).id);
    expect(op).toMatchObject({ status: 'succeeded', params: { overridePreflight: { reason, failing: ['ports'] } } });
    expect(steps(op.id)[0]).toEqual({ step: 'preflight', status: 'skipped', data: { failing: ['ports'], reason } });
  });

  it('marks a release whose promotion failed its health gate as failed on the destination, as a failed deploy', async () => {
    await overLive();
    dest.world.docker.behaviourFor = (spec) => (spec.image.includes('2.0.0') && spec.service === 'platform' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
    const started = await startPromotion(staging, operator, { from: 'local', ...SKIP }, runtimeOf);
    if (!started.ok) throw new Error(started.message);
    const op = await ended(dest.rt, (started.data as OperationDto).id);
    expect(op).toMatchObject({ kind: 'promote', status: 'failed', error: { code: 'HEALTH_CHECK_TIMEOUT' } });
    expect(failedReleases(dest.rt.db, dest.rt.environment.id).get('2.0.0')).toMatchObject({ operationId: op.id, code: 'HEALTH_CHECK_TIMEOUT' });
    // So deploying it there again is on purpose only, as after a failed deploy.
    expect(await startDeploy(dest.rt, operator, { version: '2.0.0', ...SKIP })).toMatchObject({ ok: false, code: 'FAILED_RELEASE_NOT_CONFIRMED' });
    // A later promotion that succeeds clears the mark.
    dest.world.docker.behaviourFor = () => ({ kind: 'healthy', afterPolls: 1 });
    const again = await startPromotion(staging, operator, { from: 'local', ...SKIP }, runtimeOf);
    if (!again.ok) throw new Error(again.message);
    expect((await ended(dest.rt, (again.data as OperationDto).id)).status).toBe('succeeded');
    expect(failedReleases(dest.rt.db, dest.rt.environment.id).has('2.0.0')).toBe(false);
  });
});
