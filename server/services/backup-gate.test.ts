import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { BackupError } from '../backup/backup-error';
import { createPassword } from '../backup/repository-password';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from '../backup/test-support/memory-ports';
import { queryAudit } from '../db/audit-log';
import { deploy } from '../engine/deploy';
import { eventsAfter, listOperations, toEventDto } from '../operations/operation-store';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { listBackups } from './backups';
import { previewPlan, startDeploy, startRollback, startUpdate } from './operations';

// The backup gate over the fake runtime and the in-memory backup ports: a version change takes a
// `pre-upgrade` backup before any container changes; a backup that fails leaves every container as
// it was and says why and how to skip; a skip needs a reason, which is audited and shown; without
// any repository the start is refused at once.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const operator = callerOf(user('operator'));
const skipBackup = { reason: '  hotfix for the login outage, backup taken by hand at 09:12  ' };

let f: FakeRuntime;
let repo: MemoryRepository;
/** Docker's calls and the repository's stores, in the one order they happened. */
let order: string[];

beforeEach(async () => {
  repo = new MemoryRepository();
  f = fakeRuntime({ exec: new FakeDbContainer(), backups: { repo, volumes: new MemoryVolumes(), readProjectFiles: async () => ({ 'tale.json': Buffer.from('{}') }) } });
  // 1.0.0 is live (db and all), deployed straight through the engine: no gate for the set-up.
  await deploy(f.world, { version: '1.0.0' });
  await createPassword(f.rt.env.backup.passwordFile);
  order = f.world.docker.calls;
  const store = repo.backupStdin.bind(repo);
  repo.backupStdin = async (input: Readable, opts) => {
    order.push(`backup ${opts.filename}`);
    return store(input, opts);
  };
});
afterEach(() => f.dispose());

async function finish(started: Awaited<ReturnType<typeof startDeploy>>) {
  if (!started.ok) throw new Error(`refused: ${started.code} ${started.message}`);
  return ended(f.rt, started.data.id);
}

const operationEvents = (rt: FakeRuntime['rt'], id: string) => eventsAfter(rt.db, id, 0).map(toEventDto);
const changes = (calls: string[]) => calls.filter((c) => !c.startsWith('backup '));

describe('the backup gate', () => {
  it('backs up before the first change of an upgrade, records it as pre-upgrade and links it from the timeline', async () => {
    const from = order.length;
    const end = await finish(await startDeploy(f.rt, operator, { version: '2.0.0' }));
    expect(end, JSON.stringify(end.error)).toMatchObject({ status: 'succeeded', result: { version: '2.0.0', backup: expect.any(String), backupId: expect.any(String) } });

    const calls = order.slice(from);
    const lastStore = calls.findLastIndex((c) => c.startsWith('backup '));
    const firstChange = calls.findIndex((c) => !c.startsWith('backup '));
    expect(calls[lastStore]).toBe('backup manifest.json');
    expect(firstChange).toBeGreaterThan(lastStore);

    const [backup] = (await listBackups(f.rt, operator)).backups;
    expect(backup).toMatchObject({ id: end.result?.backup, backupId: end.result?.backupId, kind: 'pre-upgrade', startedBy: 'operator@example.com', release: { version: '1.0.0' } });
    const gate = operationEvents(f.rt, end.id).filter((e) => e.step === 'pre-upgrade-backup');
    expect(gate.map((e) => e.status)).toEqual(['started', 'succeeded']);
    expect(gate[1]?.data).toMatchObject({ from: '1.0.0', to: '2.0.0', backup: backup?.id, backupId: backup?.backupId });
  });

  it('backs up before a rollback and an in-place update to another version, but not before the same version again', async () => {
    await finish(await startDeploy(f.rt, operator, { version: '2.0.0' }));
    const stored = () => [...repo.items.values()].filter((i) => i.filename === 'manifest.json').length;
    expect(stored()).toBe(1);
    await finish(await startDeploy(f.rt, operator, { version: '2.0.0' }));
    expect(stored()).toBe(1);
    expect((await finish(await startRollback(f.rt, operator, {}))).status).toBe('succeeded');
    expect(stored()).toBe(2);
    expect((await finish(await startUpdate(f.rt, operator, { version: '3.0.0', services: ['platform'] }))).status).toBe('succeeded');
    expect(stored()).toBe(3);
  });

  it('fails before any container changes when the backup fails, naming the cause and how to skip', async () => {
    repo.backupStdin = async () => {
      throw new BackupError('BACKUP_REPOSITORY_MISSING', 'There is no backup repository at the configured location.');
    };
    const from = order.length;
    const end = await finish(await startDeploy(f.rt, operator, { version: '2.0.0' }));
    expect(end).toMatchObject({ status: 'failed', error: { code: 'PRE_UPGRADE_BACKUP_FAILED' } });
    expect(end.error?.message).toContain('There is no backup repository at the configured location. (BACKUP_REPOSITORY_MISSING; repository /mem/repo)');
    expect(end.error?.message).toContain('no container was changed');
    expect(end.error?.message).toContain('"skipBackup"');
    expect(changes(order.slice(from))).toEqual([]);
    expect(f.world.project.colorFile).toBe('blue');
    const failed = operationEvents(f.rt, end.id).find((e) => e.step === 'pre-upgrade-backup' && e.status === 'failed');
    expect(failed?.data).toMatchObject({ code: 'PRE_UPGRADE_BACKUP_FAILED' });
  });

  it('skips the backup with a reason: trimmed, audited, in the params and the timeline; a short or malformed one is refused', async () => {
    for (const bad of [{ reason: '   too short   ' }, { reason: 'long enough reason', extra: true }, { reason: 42 }]) {
      expect(await startDeploy(f.rt, operator, { version: '2.0.0', skipBackup: bad })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    }
    const reason = skipBackup.reason.trim();
    const started = await startDeploy(f.rt, operator, { version: '2.0.0', skipBackup });
    const end = await finish(started);
    expect(end).toMatchObject({ status: 'succeeded', params: { skipBackup: { reason } }, result: { backupSkipped: reason } });
    expect(repo.items.size).toBe(0);
    const audit = queryAudit(f.rt.db, { action: 'operations.deploy', limit: 10 });
    expect(audit).toEqual([expect.objectContaining({ outcome: 'success', actorEmail: 'operator@example.com' })]);
    expect(JSON.stringify(audit[0]?.params)).toContain(reason);
    expect(operationEvents(f.rt, end.id).find((e) => e.step === 'pre-upgrade-backup')).toMatchObject({ status: 'skipped', data: { reason, from: '1.0.0', to: '2.0.0' } });
  });

  it('refuses an upgrade or rollback at once while no repository exists, unless skipped; the same version goes ahead', async () => {
    repo.initialised = false;
    const fresh = fakeRuntime({ exec: new FakeDbContainer(), backups: { repo, volumes: new MemoryVolumes(), readProjectFiles: async () => ({}) } });
    try {
      await deploy(fresh.world, { version: '1.0.0' });
      const before = fresh.world.docker.calls.length;
      for (const refused of [await startDeploy(fresh.rt, operator, { version: '2.0.0' }), await startRollback(fresh.rt, operator, {}), await startDeploy(fresh.rt, operator, {})]) {
        expect(refused).toMatchObject({ ok: false, code: 'BACKUP_GATE_NO_REPOSITORY' });
        if (!refused.ok) expect(refused.message).toMatch(/An admin must take the first backup.*"skipBackup"/);
      }
      expect(listOperations(fresh.rt.db, 'local')).toEqual([]);
      expect(fresh.world.docker.calls.length).toBe(before);
      expect(queryAudit(fresh.rt.db, { outcome: 'denied', limit: 10 }).map((r) => r.message)).toEqual(Array(3).fill('no backup repository yet for the pre-upgrade backup'));
      const again = await startDeploy(fresh.rt, operator, { version: '1.0.0' });
      expect(again.ok && (await ended(fresh.rt, again.data.id)).status).toBe('succeeded');
      const skipped = await startDeploy(fresh.rt, operator, { version: '2.0.0', skipBackup });
      expect(skipped.ok && (await ended(fresh.rt, skipped.data.id)).status).toBe('succeeded');
    } finally {
      fresh.dispose();
    }
  });

  it('tells the dialog whether a backup comes first and what the last one cost', async () => {
    expect(await previewPlan(f.rt, operator, { kind: 'deploy', version: '2.0.0' })).toMatchObject({ ok: true, data: { backup: { required: true, repository: 'ready', last: null } } });
    await finish(await startDeploy(f.rt, operator, { version: '2.0.0' }));
    const b = (await listBackups(f.rt, operator)).backups[0]!;
    expect(await previewPlan(f.rt, operator, { kind: 'rollback' })).toMatchObject({ ok: true, data: { backup: { required: true, last: { bytes: b.bytes, durationMs: b.durationMs } } } });
    expect(await previewPlan(f.rt, operator, { kind: 'deploy', version: '2.0.0' })).toMatchObject({ ok: true, data: { backup: { required: false } } });
  });
});
