import { describe, expect, it } from 'vitest';
import { normalizeRef, parseRef, planId, planImagePrune, type DiskContainer, type DiskImage, type PrunePlanInput } from './image-prune-plan';

const R = 'ghcr.io/tale-project/tale';
const hex = (c: string) => c.repeat(64);
const MB = 1_000_000;

let n = 0;
function image(over: Partial<DiskImage> & { tags?: string[]; digests?: string[] }): DiskImage {
  n += 1;
  return {
    id: over.id ?? `sha256:${hex(String(n % 10))}${n}`,
    repoTags: over.tags ?? [],
    repoDigests: over.digests ?? [],
    size: over.size ?? 100 * MB,
    sharedSize: over.sharedSize === undefined ? 60 * MB : over.sharedSize,
    created: over.created ?? `2026-01-${String(10 + n).padStart(2, '0')}T00:00:00Z`,
    labels: over.labels ?? {},
  };
}
const container = (name: string, img: DiskImage, project = 'tp-1234', state = 'running'): DiskContainer => ({
  id: `c-${name}`,
  name,
  imageId: img.id,
  image: img.repoTags[0] ?? img.repoDigests[0] ?? img.id,
  state,
  labels: { 'com.docker.compose.project': project },
});

// A host with three releases of the platform image: 1.1.0 live, 1.0.0 previous (pulled by digest,
// as a rollback does, so it has no tag), 0.9.0 left behind; plus images that are not the stack's.
const live = image({ tags: [`${R}/tale-platform:1.1.0`], digests: [`${R}/tale-platform@sha256:${hex('b')}`] });
const previous = image({ digests: [`${R}/tale-platform@sha256:${hex('a')}`] });
const old = image({ tags: [`${R}/tale-platform:0.9.0`], digests: [`${R}/tale-platform@sha256:${hex('9')}`], size: 120 * MB, sharedSize: 70 * MB });
const oldRag = image({ tags: [`${R}/tale-rag:0.9.0`], size: 30 * MB, sharedSize: 0 });
const unrelated = image({ tags: ['dk-unrelated:1'] });
const lookAlike = image({ tags: [`${R}/tale-platform-extra:0.9.0`, `${R}x/tale-platform:0.9.0`, `ghcr.io/tale-project/tale-platform:0.9.0`] });
const db = image({ tags: [`${R}/tale-db:0.7.0`] });

function input(over: Partial<PrunePlanInput> = {}): PrunePlanInput {
  return {
    registry: R,
    projectId: 'tp-1234',
    images: [live, previous, old, oldRag, unrelated, lookAlike, db],
    containers: [container('tp-1234-platform-green', live), container('tp-1234-db', db, 'tp-1234', 'exited')],
    keep: [
      { role: 'live', version: '1.1.0', digests: { platform: `sha256:${hex('b')}` } },
      { role: 'previous', version: '1.0.0', digests: { platform: `sha256:${hex('a')}` } },
    ],
    records: [
      { version: '1.1.0', digests: { platform: `sha256:${hex('b')}` } },
      { version: '1.0.0', digests: { platform: `sha256:${hex('a')}` } },
    ],
    pins: [],
    ...over,
  };
}

const removedIds = (p: ReturnType<typeof planImagePrune>) => p.remove.map((i) => i.id).sort();
const reasonsOf = (p: ReturnType<typeof planImagePrune>, img: DiskImage) => p.images.find((i) => i.id === img.id)?.keep.map((k) => k.kind);

describe('the image removal plan', () => {
  it('removes exactly the stack’s images that nothing needs, and frees at least their unique sizes', () => {
    const plan = planImagePrune(input());
    expect(removedIds(plan)).toEqual([old.id, oldRag.id].sort());
    expect(plan.freedBytes).toBe(50 * MB + 30 * MB);
    expect(plan.remove.find((i) => i.id === old.id)).toMatchObject({ service: 'platform', version: '0.9.0', uniqueSize: 50 * MB, names: [`${R}/tale-platform:0.9.0`, `${R}/tale-platform@sha256:${hex('9')}`] });
  });

  it('keeps the live release, the previous one by its recorded digest, and what a container (even a stopped one) uses', () => {
    const plan = planImagePrune(input());
    expect(reasonsOf(plan, live)).toEqual(['container', 'live']);
    expect(reasonsOf(plan, previous)).toEqual(['previous']);
    expect(reasonsOf(plan, db)).toEqual(['container']);
    expect(plan.images.find((i) => i.id === previous.id)?.releases).toEqual(['1.0.0']);
  });

  it('keeps the previous release found by tag or by the image’s version label when no digest was recorded', () => {
    const byTag = image({ tags: [`${R}/tale-rag:1.0.0`] });
    const byLabel = image({ digests: [`${R}/tale-crawler@sha256:${hex('c')}`], labels: { 'org.opencontainers.image.version': 'v1.0.0' } });
    const plan = planImagePrune(input({ images: [byTag, byLabel, old] }));
    expect(reasonsOf(plan, byTag)).toEqual(['previous']);
    expect(reasonsOf(plan, byLabel)).toEqual(['previous']);
    expect(removedIds(plan)).toEqual([old.id]);
  });

  it('never touches images outside the stack’s repositories, however alike their names', () => {
    const plan = planImagePrune(input());
    const listed = plan.images.map((i) => i.id);
    expect(listed).not.toContain(unrelated.id);
    expect(listed).not.toContain(lookAlike.id);
  });

  it('keeps an image that also carries a name outside the stack’s repositories', () => {
    const shared = image({ tags: [`${R}/tale-platform:0.8.0`, 'backup/platform:0.8.0'] });
    const plan = planImagePrune(input({ images: [shared] }));
    expect(plan.remove).toEqual([]);
    expect(plan.images[0]?.keep).toEqual([{ kind: 'other-names', names: ['backup/platform:0.8.0'] }]);
  });

  it('keeps pinned images, by tag or by digest', () => {
    const plan = planImagePrune(input({ pins: [`${R}/tale-platform:0.9.0`, `${R}/tale-rag@sha256:${hex('e')}`], images: [old, image({ digests: [`${R}/tale-rag@sha256:${hex('e')}`] })] }));
    expect(plan.remove).toEqual([]);
    expect(plan.images.flatMap((i) => i.keep.map((k) => k.kind))).toEqual(['pinned', 'pinned']);
  });

  it('keeps versions newer than the live one (pulled ahead of an upgrade)', () => {
    const next = image({ tags: [`${R}/tale-platform:1.2.0`] });
    expect(reasonsOf(planImagePrune(input({ images: [next] })), next)).toEqual(['newer']);
  });

  it('removes nothing while another project’s containers use these repositories, and names it', () => {
    const plan = planImagePrune(input({ containers: [container('other-1-platform-blue', live, 'other-1-blue')] }));
    expect(plan.otherProjects).toEqual(['other-1-blue']);
    expect(plan.remove).toEqual([]);
    expect(reasonsOf(plan, old)).toEqual(['other-project']);
  });

  it('does not count a project whose containers run the same bytes under another repository', () => {
    const elsewhere = { ...container('other-1-platform-blue', live, 'other-1-blue'), image: `127.0.0.1:5000/tale-platform:1.1.0@sha256:${hex('b')}` };
    const plan = planImagePrune(input({ containers: [elsewhere] }));
    expect(plan.otherProjects).toEqual([]);
    expect(reasonsOf(plan, live)).toEqual(['container', 'live']);
    expect(removedIds(plan)).toEqual([old.id, oldRag.id, db.id].sort());
  });

  it('counts the own project’s colours and dev project as its own', () => {
    const plan = planImagePrune(input({ containers: [container('a', live, 'tp-1234-green'), container('b', db, 'tp-1234-dev')] }));
    expect(plan.otherProjects).toEqual([]);
  });

  it('says when Docker gave no shared size instead of counting a guess', () => {
    const plan = planImagePrune(input({ images: [image({ tags: [`${R}/tale-rag:0.5.0`], sharedSize: null })] }));
    expect(plan.freedBytes).toBe(0);
    expect(plan.unknownSizes).toBe(1);
  });

  it('gives the same id to the same removal set, in any order, and another to a different one', () => {
    const a = planImagePrune(input());
    const b = planImagePrune(input({ images: [...input().images].reverse() }));
    expect(b.id).toBe(a.id);
    expect(planImagePrune(input({ images: [old] })).id).not.toBe(a.id);
    expect(planId([])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads references as Docker prints them', () => {
    expect(parseRef('127.0.0.1:5000/tale-db:1.0.0')).toEqual({ repository: '127.0.0.1:5000/tale-db', tag: '1.0.0', digest: null });
    expect(parseRef(`r/x:1@sha256:${hex('a')}`)).toEqual({ repository: 'r/x', tag: '1', digest: `sha256:${hex('a')}` });
    expect(parseRef('redis')).toEqual({ repository: 'redis', tag: 'latest', digest: null });
    expect(normalizeRef('docker.io/library/redis:7')).toBe('redis:7');
  });

  it('works with a registry on a port and a trailing slash', () => {
    const local = image({ tags: ['127.0.0.1:5000/tale-proxy:0.1.0'] });
    expect(removedIds(planImagePrune(input({ registry: '127.0.0.1:5000/', images: [local], containers: [] })))).toEqual([local.id]);
  });
});
