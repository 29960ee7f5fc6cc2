import { describe, expect, it } from 'vitest';
import type { RepositorySnapshot } from './ports';
import { groupByBackup, planRetention } from './retention';

let n = 0;
const id = () => (++n).toString(16).padStart(64, '0');
/** One complete backup: three parts and the manifest, a few seconds apart, as the engine stores them. */
function backup(backupId: string, at: string, opts: { complete?: boolean } = {}): RepositorySnapshot[] {
  const t = Date.parse(at);
  const part = (file: string, dt: number, extra: string[] = []): RepositorySnapshot => {
    const sid = id();
    return { id: sid, shortId: sid.slice(0, 8), time: new Date(t + dt).toISOString(), paths: [`/${file}`], tags: ['tale-project:acme', `tale-backup:${backupId}`, ...extra] };
  };
  const parts = [part('databases/tale.sql', 0), part('volumes/rag-data.tar', 2000), part('project/files.json', 3000)];
  return opts.complete === false ? parts : [...parts, part('manifest.json', 4000, ['tale-manifest'])];
}

describe('retention over whole backups', () => {
  it('groups every part under its backup id, dated by the manifest, and leaves snapshots of no backup alone', () => {
    const stray: RepositorySnapshot = { id: id(), shortId: 'x', time: '2026-12-01T00:00:00Z', paths: ['/x'], tags: ['tale-project:acme'] };
    const groups = groupByBackup([...backup('a', '2026-12-01T03:00:00Z'), stray, ...backup('b', '2026-12-02T03:00:00Z', { complete: false })]);
    expect(groups.map((g) => [g.backupId, g.complete, g.snapshotIds.length])).toEqual([
      ['b', false, 3],
      ['a', true, 4],
    ]);
    expect(groups.find((g) => g.backupId === 'a')!.time).toBe('2026-12-01T03:00:04.000Z');
  });

  it('keeps the newest backup of each of the last N days, weeks and months, and forgets every part of the others', () => {
    const snaps = [
      ...backup('dec03-late', '2026-12-03T15:00:00Z'),
      ...backup('dec03', '2026-12-03T03:00:00Z'),
      ...backup('dec02', '2026-12-02T03:00:00Z'),
      ...backup('dec01', '2026-12-01T03:00:00Z'),
      ...backup('nov20', '2026-11-20T03:00:00Z'),
      ...backup('nov10', '2026-11-10T03:00:00Z'),
      ...backup('oct05', '2026-10-05T03:00:00Z'),
      ...backup('sep05', '2026-09-05T03:00:00Z'),
    ];
    const groups = groupByBackup(snaps);
    const plan = planRetention(groups, { daily: 2, weekly: 2, monthly: 3 });
    // daily: dec03-late (Dec 3), dec02 (Dec 2); weekly: dec03-late (week 49), nov20 (week 47);
    // monthly: dec03-late (Dec), nov20 (Nov), oct05 (Oct).
    expect(plan.keep.map((g) => g.backupId)).toEqual(['dec03-late', 'dec02', 'nov20', 'oct05']);
    expect(plan.forget.map((g) => g.backupId).sort()).toEqual(['dec01', 'dec03', 'nov10', 'sep05']);
    // Never half a backup: a forgotten backup's snapshots are all of its parts and its manifest.
    for (const g of plan.forget) expect(g.snapshotIds).toHaveLength(4);
    const kept = new Set(plan.keep.flatMap((g) => g.snapshotIds));
    for (const s of snaps) expect(kept.has(s.id) !== plan.forget.some((g) => g.snapshotIds.includes(s.id))).toBe(true);
  });

  it('always keeps the newest complete backup, and forgets the parts of backups without a manifest', () => {
    const groups = groupByBackup([...backup('old', '2026-01-01T03:00:00Z'), ...backup('cut', '2026-12-03T03:00:00Z', { complete: false })]);
    const plan = planRetention(groups, { daily: 0, weekly: 0, monthly: 0 });
    expect(plan.keep.map((g) => g.backupId)).toEqual(['old']);
    expect(plan.forget.map((g) => g.backupId)).toEqual(['cut']);
  });
});
