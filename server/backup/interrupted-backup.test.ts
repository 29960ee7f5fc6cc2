import { describe, expect, it } from 'vitest';
import { releaseInterruptedBackups } from './interrupted-backup';
import { tags } from './manifest';
import type { RepositorySnapshot } from './ports';

// The start-up clean-up after a console killed mid-backup: stale locks released first, then only
// the parts of backups that never got their manifest are forgotten.

function repo(snapshots: Array<{ id: string; tags: string[] }>) {
  const calls: string[] = [];
  return {
    calls,
    async unlock() {
      calls.push('unlock');
    },
    async snapshots(wanted: string[]): Promise<RepositorySnapshot[]> {
      return snapshots.filter((s) => wanted.every((t) => s.tags.includes(t))).map((s) => ({ id: s.id, shortId: s.id.slice(0, 8), time: '', paths: [], tags: s.tags }));
    },
    async forget(ids: string[]) {
      calls.push(`forget ${ids.join(',')}`);
    },
  };
}

describe('releaseInterruptedBackups', () => {
  it('unlocks, then forgets the parts of a backup without a manifest and leaves a complete one', async () => {
    const r = repo([
      { id: 'a1', tags: [tags.backup('cut'), 'x'] },
      { id: 'a2', tags: [tags.backup('cut')] },
      { id: 'b1', tags: [tags.backup('whole')] },
      { id: 'b2', tags: [tags.backup('whole'), tags.manifest] },
      { id: 'c1', tags: [tags.backup('other')] },
    ]);
    expect(await releaseInterruptedBackups(r, ['cut', 'whole', 'cut'])).toEqual({ forgotten: ['a1', 'a2'] });
    expect(r.calls).toEqual(['unlock', 'forget a1,a2']);
  });

  it('still releases the locks when no backup was cut off (a check or drill killed)', async () => {
    const r = repo([]);
    expect(await releaseInterruptedBackups(r, [])).toEqual({ forgotten: [] });
    expect(r.calls[0]).toBe('unlock');
  });
});
