import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { queryAudit } from '../db/audit-log';
import type { DiskImage, DiskPort, DiskUsage } from '../engine/image-prune-plan';
import { eventsAfter } from '../operations/operation-store';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { diskUsage, startPruneImages } from './disk';

// The disk service over a Docker that keeps its images in memory: the preview, the refusal of a
// stale preview, and the operation that removes only what was previewed and Docker lets go.

const R = 'ghcr.io/tale-project/tale';
const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const operator = callerOf(user('operator'));
const viewer = callerOf(user('viewer'));
const img = (id: string, tags: string[], size: number, sharedSize: number): DiskImage => ({ id: `sha256:${id.repeat(64)}`, repoTags: tags, repoDigests: [], size, sharedSize, created: `2026-01-01T00:00:0${parseInt(id, 16) % 10}Z`, labels: {} });

class MemoryDisk implements DiskPort {
  images: DiskImage[] = [
    img('a', [`${R}/tale-platform:1.0.0`], 100, 60),
    img('9', [`${R}/tale-platform:0.9.0`], 100, 60),
    img('8', [`${R}/tale-rag:0.8.0`], 50, 10),
    img('f', ['dk-unrelated:1'], 10, 0),
  ];
  /** Names Docker refuses to remove because a container uses them now. */
  inUse = new Set<string>();
  removed: string[] = [];
  attempts: string[] = [];
  /** From this call of usage() on, a container uses the old rag image (one taken after the preview). */
  ragTakenFromCall = Infinity;
  private calls = 0;
  async usage(): Promise<DiskUsage> {
    this.calls += 1;
    const rag = this.images.find((i) => i.repoTags.includes(`${R}/tale-rag:0.8.0`));
    return {
      images: this.images,
      containers: this.calls >= this.ragTakenFromCall && rag ? [{ id: 'c1', name: 'someone', imageId: rag.id, image: `${R}/tale-rag:0.8.0`, state: 'created', labels: {} }] : [],
      volumes: [
        { name: 'acme_db-data', size: 4096, refCount: 1, labels: { project: 'acme' } },
        { name: 'other_db-data', size: 1, refCount: 1, labels: { project: 'other' } },
      ],
      buildCacheBytes: null,
      layersSize: this.images.reduce((s, i) => s + i.size, 0),
    };
  }
  async removeImage(ref: string) {
    this.attempts.push(ref);
    if (this.inUse.has(ref)) return 'in-use' as const;
    const before = this.images.length;
    this.images = this.images.filter((i) => !i.repoTags.includes(ref));
    if (this.images.length === before) return 'missing' as const;
    this.removed.push(ref);
    return 'removed' as const;
  }
}

let f: FakeRuntime;
let disk: MemoryDisk;
beforeEach(() => {
  disk = new MemoryDisk();
  f = fakeRuntime({ disk });
  f.world.project.previousVersion = '1.0.0';
});
afterEach(() => f.dispose());

describe('disk usage and the removal preview', () => {
  it('shows a viewer the stack’s images with what goes and why the rest stays, and only the project’s volumes', async () => {
    const usage = await diskUsage(f.rt, viewer);
    expect(usage.images.map((i) => [i.names[0], i.remove])).toEqual([
      [`${R}/tale-platform:0.9.0`, true],
      [`${R}/tale-rag:0.8.0`, true],
      [`${R}/tale-platform:1.0.0`, false],
    ]);
    expect(usage.images[2]?.keptBecause).toEqual(['the previous release 1.0.0: a rollback goes there']);
    expect(usage.plan.freedBytes).toBe(40 + 40);
    expect(usage.volumes).toEqual([{ name: 'acme_db-data', size: 4096, containers: 1 }]);
  });
});

describe('remove unused images', () => {
  it('refuses a preview that no longer matches, audited, and removes nothing', async () => {
    const { plan } = await diskUsage(f.rt, operator);
    disk.images.push(img('7', [`${R}/tale-crawler:0.7.0`], 5, 0));
    const r = await startPruneImages(f.rt, operator, { planId: plan.id });
    expect(r).toMatchObject({ ok: false, code: 'DISK_PLAN_CHANGED' });
    expect(disk.removed).toEqual([]);
    expect(queryAudit(f.rt.db, { limit: 50 })).toContainEqual(expect.objectContaining({ action: 'operations.prune-images', outcome: 'denied' }));
  });

  it('removes the previewed images; one Docker refuses because a container took it is kept, not a failure', async () => {
    const { plan } = await diskUsage(f.rt, operator);
    disk.inUse.add(`${R}/tale-rag:0.8.0`);
    const r = await startPruneImages(f.rt, operator, { planId: plan.id });
    if (!r.ok) throw new Error(r.message);
    const op = await ended(f.rt, r.data.id);
    expect(op.status).toBe('succeeded');
    expect(op.result).toMatchObject({ removed: 1, kept: 1, freedBytes: 40 });
    expect(disk.removed).toEqual([`${R}/tale-platform:0.9.0`]);
    expect(disk.images.map((i) => i.repoTags[0])).toContain('dk-unrelated:1');
    const texts = eventsAfter(f.rt.db, r.data.id, 0).map((e) => `${e.step}/${e.status}/${e.data}`);
    expect(texts.some((t) => t.includes('"kept":true') && t.includes('tale-rag:0.8.0'))).toBe(true);
    expect(op.purpose).toBe('Remove unused images: 1 image, at least 40 B');
  });

  it('computes the plan again at run time: an image a container took after the start is kept, never removed', async () => {
    const { plan } = await diskUsage(f.rt, operator);
    // usage() calls: the preview above, the start's check, then the job's own look.
    disk.ragTakenFromCall = 3;
    const r = await startPruneImages(f.rt, operator, { planId: plan.id });
    if (!r.ok) throw new Error(r.message);
    const op = await ended(f.rt, r.data.id);
    expect(op.result).toMatchObject({ removed: 1, kept: 1 });
    expect(disk.attempts).toEqual([`${R}/tale-platform:0.9.0`]);
    const kept = eventsAfter(f.rt.db, r.data.id, 0).find((e) => e.data?.includes('"kept":true'));
    expect(JSON.parse(kept?.data ?? '{}')).toMatchObject({ image: `${R}/tale-rag:0.8.0`, reason: 'used by someone' });
  });

  it('is an operator’s: a viewer is refused and the input is strict', async () => {
    const { plan } = await diskUsage(f.rt, viewer);
    expect(await startPruneImages(f.rt, viewer, { planId: plan.id })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await startPruneImages(f.rt, operator, { planId: plan.id, force: true })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(disk.removed).toEqual([]);
  });
});
