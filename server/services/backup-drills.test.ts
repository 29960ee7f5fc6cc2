import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import type { SandboxSpec } from '../backup/drill';
import type { RepositorySnapshot } from '../backup/ports';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from '../backup/test-support/memory-ports';
import { queryAudit } from '../db/audit-log';
import { listOperations } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import type { ContainerSpec } from '../stack/types';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { backupHealth, listDrills, startDrill } from './backup-drills';
import { getSchedule, runScheduled, setSchedule } from './backup-schedule';
import { listBackups, startBackup } from './backups';

// The drill, schedule and retention services over the fake runtime and in-memory backup ports:
// roles, what the list and the overview read back, and one scheduled run end to end (backup of
// kind scheduled as the system, its drill, retention of whole backups).

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const operator = callerOf(user('operator'));
const viewer = callerOf(user('viewer'));

/** Snapshots a second apart in the order stored, so "newest" means something to retention. */
class TimedRepository extends MemoryRepository {
  async snapshots(tags: string[]): Promise<RepositorySnapshot[]> {
    const order = [...this.items.keys()];
    return (await super.snapshots(tags)).map((s) => ({ ...s, time: new Date(Date.UTC(2026, 0, 1) + order.indexOf(s.id) * 1000).toISOString() }));
  }
}

let f: FakeRuntime;
let repo: TimedRepository;
const sandboxes: SandboxSpec[] = [];
beforeEach(async () => {
  repo = new TimedRepository();
  repo.initialised = false;
  sandboxes.length = 0;
  const sandbox = { create: async (s: SandboxSpec) => void sandboxes.push(s), remove: async () => undefined, removeLeftovers: async () => ({ containers: [], networks: [] }), exited: async () => null };
  f = fakeRuntime({ exec: new FakeDbContainer(), backups: { repo, volumes: new MemoryVolumes(), readProjectFiles: async () => ({ 'tale.json': Buffer.from('{}') }), sandbox } });
  await f.world.docker.createContainer({ name: 'acme-db', image: 'img/db:1', labels: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
  await f.world.docker.startContainer('acme-db');
  // The repository password exists, as after an admin's first backup.
  await startBackup(f.rt, admin, {}).then(async (r) => r.ok && (await ended(f.rt, r.data.id)));
});
afterEach(() => f.dispose());

describe('restore drills and the schedule', () => {
  it('lets an operator drill a backup, not a viewer, and shows the result in the list, the drills and the health', async () => {
    const [backup] = (await listBackups(f.rt, admin)).backups;
    expect(await startDrill(f.rt, viewer, { snapshot: backup!.id })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await startDrill(f.rt, operator, { snapshot: 'not-hex' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    const started = await startDrill(f.rt, operator, { snapshot: backup!.id });
    if (!started.ok) throw new Error(started.message);
    expect((await ended(f.rt, started.data.id)).status).toBe('succeeded');
    expect(sandboxes.map((s) => s.image)).toEqual(['img/db:1']);

    const listed = (await listBackups(f.rt, admin)).backups[0]!;
    expect(listed.drill).toMatchObject({ status: 'passed', backupId: backup!.backupId, actor: 'operator@example.com', tables: 4 });
    expect(listDrills(f.rt, operator).drills).toHaveLength(1);
    expect(backupHealth(f.rt, viewer)).toEqual({ lastBackupAt: backup!.startedAt, lastProvenAt: backup!.startedAt, failedDrill: null });
  });

  it('saves a schedule only for an admin, validated and audited', async () => {
    const good = { enabled: true, mode: 'daily', at: '03:00', everyHours: 24, keep: { daily: 7, weekly: 4, monthly: 6 } };
    expect(await setSchedule(f.rt, operator, good)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await setSchedule(f.rt, admin, { ...good, at: '25:00' })).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { at: expect.any(Array) } });
    expect(await setSchedule(f.rt, admin, { ...good, keep: { daily: 0, weekly: 0, monthly: 0 } })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(getSchedule(f.rt, operator)).toMatchObject({ schedule: { enabled: false }, nextRunAt: null });
    const saved = await setSchedule(f.rt, admin, good);
    expect(saved).toMatchObject({ ok: true, data: { schedule: good, updatedBy: 'admin@example.com' } });
    expect(saved.ok && Date.parse(saved.data.nextRunAt!)).toBeGreaterThan(Date.now() - 1000);
    expect(queryAudit(f.rt.db, { action: 'backups.schedule', limit: 10 })).toHaveLength(1);
  });

  it('runs a scheduled backup as the system, drills it, and retention forgets whole older backups', async () => {
    const first = (await listBackups(f.rt, admin)).backups[0]!;
    const firstParts = [...repo.items.entries()].filter(([, i]) => i.tags.includes(`tale-backup:${first.backupId}`)).map(([id]) => id);
    expect(await runScheduled(f.rt, { enabled: true, mode: 'daily', at: '03:00', everyHours: 24, keep: { daily: 1, weekly: 0, monthly: 0 } })).toBe(true);

    const ops = listOperations(f.rt.db, 'local').map((o) => ({ kind: o.kind, status: o.status, actor: o.actorEmail, params: JSON.parse(o.params) as Record<string, unknown> }));
    const scheduled = ops.filter((o) => o.actor === null);
    expect(scheduled.map((o) => o.kind).sort()).toEqual(['backup', 'drill', 'retention']);
    expect(scheduled.every((o) => o.status === 'succeeded')).toBe(true);
    expect(scheduled.find((o) => o.kind === 'backup')?.params).toEqual({ kind: 'scheduled' });

    const backups = (await listBackups(f.rt, admin)).backups;
    expect(backups.map((b) => b.kind)).toEqual(['scheduled']);
    expect(backups[0]!.drill?.status).toBe('passed');
    // Every part of the first backup, manifest included, and nothing of the kept one.
    expect(repo.forgotten.sort()).toEqual(firstParts.sort());
    expect(repo.pruned).toBe(1);
  });

  it('keeps each environment its own schedule, last scheduled run, backups and drills', async () => {
    // The same database seen from another environment: the services read rt.environment.id.
    const staging: Runtime = { ...f.rt, environment: { id: 'staging', name: 'staging', colour: 'amber', kind: 'ssh', production: false } };
    const good = { enabled: true, mode: 'daily' as const, at: '03:00', everyHours: 24, keep: { daily: 7, weekly: 4, monthly: 6 } };
    expect(await setSchedule(f.rt, admin, good)).toMatchObject({ ok: true });
    expect(getSchedule(staging, operator)).toMatchObject({ schedule: { enabled: false }, nextRunAt: null, updatedBy: null });
    expect(await runScheduled(f.rt, { ...good, keep: { daily: 1, weekly: 0, monthly: 0 } })).toBe(true);

    expect(getSchedule(f.rt, operator).lastRunAt).not.toBeNull();
    expect(getSchedule(staging, operator).lastRunAt).toBeNull();
    expect(listDrills(staging, operator).drills).toEqual([]);
    expect(backupHealth(staging, viewer)).toEqual({ lastBackupAt: null, lastProvenAt: null, failedDrill: null });
    expect(backupHealth(f.rt, viewer).lastBackupAt).not.toBeNull();
  });
});
