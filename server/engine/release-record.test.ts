import { describe, expect, it } from 'vitest';
import { deploy, rollback } from './deploy';
import { contentHash } from '@/server/stack/content-hash';
import { digestOf, fakeWorld } from './test-support/fake-ports';

describe('release records', () => {
  it('records every successful deploy and rollback with its digests, actor and config hashes', async () => {
    const w = { ...fakeWorld(), actor: 'ops@example.com' };
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0' });
    expect(w.project.releases.map((r) => [r.version, r.color, r.kind])).toEqual([
      ['2.0.0', 'green', 'deploy'],
      ['1.0.0', 'blue', 'deploy'],
    ]);
    const [latest] = w.project.releases;
    expect(latest?.digests.platform).toBe(digestOf('2.0.0', 'platform'));
    expect(latest?.digests.db).toBe(digestOf('2.0.0', 'db'));
    expect(latest?.actor).toBe('ops@example.com');
    expect(latest?.envHash).toBe(contentHash(w.project.env));
    expect(latest?.at).toBe(w.clock.now().toISOString());
  });

  it('records nothing for a failed deploy or an in-place update', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0', services: ['rag'] });
    w.docker.behaviourFor = () => ({ kind: 'never-healthy' });
    await expect(deploy(w, { version: '3.0.0' })).rejects.toThrow();
    expect(w.project.releases.map((r) => r.version)).toEqual(['1.0.0']);
  });

  it('rolls back to the previous recorded release by digest, without asking the registry', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0' });
    // The tag 1.0.0 is gone from the registry (or moved): the record still pins the bytes.
    w.registry.versions = ['2.0.0'];
    // Its images were removed since (an image clean-up), so the rollback pulls them again.
    w.docker.images.clear();
    w.docker.calls.length = 0;
    const result = await rollback(w);
    expect(result.version).toBe('1.0.0');
    const pulls = w.docker.calls.filter((c) => c.startsWith('pull '));
    for (const p of pulls) expect(p).toMatch(/:1\.0\.0@sha256:/);
    expect(pulls.find((p) => p.includes('tale-platform'))).toContain(digestOf('1.0.0', 'platform'));
    expect(w.project.releases[0]).toMatchObject({ version: '1.0.0', kind: 'rollback', color: 'blue' });
  });

  it('a chosen version uses its record; running rollback twice toggles', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0' });
    await deploy(w, { version: '3.0.0' });
    w.registry.versions = ['3.0.0'];
    expect((await rollback(w, { version: '1.0.0' })).version).toBe('1.0.0');
    expect((await rollback(w)).version).toBe('3.0.0');
  });

  it('falls back to the state file when the records are out of step (a CLI deploy in between)', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0' });
    w.project.releases = [];
    const events = w.events.events.length;
    const result = await rollback(w);
    expect(result.version).toBe('1.0.0');
    expect(w.events.events.slice(events).find((e) => e.step === 'resolve' && e.status === 'progress')?.data).toMatchObject({ source: 'state-file', pinned: false });
  });
});
