import { describe, expect, it } from 'vitest';
import { deploy } from './deploy';
import { planReset, reset } from './reset';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

const COLOUR = ['acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue'];
const STATEFUL = ['acme-db', 'acme-proxy', 'acme-convex'];

async function deployed(): Promise<FakeWorld> {
  const w = fakeWorld();
  await deploy(w, { version: '1.0.0' });
  await deploy(w, { version: '2.0.0' });
  await deploy(w, { version: '3.0.0' }); // blue live, previous 2.0.0
  // A stray green container (a CLI run, an interrupted update) found only by its compose label.
  const rag = w.docker.containers.get('acme-rag-blue');
  if (!rag) throw new Error('fixture');
  w.docker.containers.set('acme-rag-green-next', { ...rag, id: 'stray', name: 'acme-rag-green-next', labels: { ...rag.labels, 'com.docker.compose.project': 'acme-green' } });
  w.docker.calls.length = 0;
  return w;
}

describe('reset', () => {
  it('removes both colours at once, keeps db, proxy, convex, network and volumes, clears the state files', async () => {
    const w = await deployed();
    const result = await reset(w);

    expect(result.removed.sort()).toEqual([...COLOUR, 'acme-rag-green-next'].sort());
    expect(w.docker.calls.filter((c) => c.startsWith('stop '))).toEqual([]);
    expect([...w.docker.containers.keys()].sort()).toEqual([...STATEFUL].sort());
    expect(w.project.colorFile).toBeNull();
    expect(w.project.previousVersion).toBeNull();
    expect(w.docker.networks.has('acme_internal')).toBe(true);
    expect(w.docker.volumes.size).toBeGreaterThan(0);
    expect(result).toMatchObject({ volumesRemoved: [], networkRemoved: false });
    expect(w.project.lockHeld).toBe(false);
    expect(w.project.writes).toContain('lock reset');
  });

  it('with all also stops db, proxy and convex gracefully and removes the network, but keeps the volumes', async () => {
    const w = await deployed();
    const volumes = [...w.docker.volumes];
    const result = await reset(w, { all: true });

    expect(w.docker.containers.size).toBe(0);
    // Proxy first, db last and with its own long grace period.
    expect(w.docker.calls.filter((c) => c.startsWith('stop '))).toEqual(['stop acme-proxy 10', 'stop acme-convex 10', 'stop acme-db 60']);
    expect(result.networkRemoved).toBe(true);
    expect(w.docker.networks.size).toBe(0);
    expect([...w.docker.volumes]).toEqual(volumes);
    expect(w.docker.calls.some((c) => c.startsWith('remove-volume'))).toBe(false);
  });

  it('removes the volumes only with the separate flag, and only with all', async () => {
    const w = await deployed();
    await expect(reset(w, { volumes: true })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(w.docker.calls).toEqual([]);
    expect(w.project.colorFile).toBe('blue');
    expect(w.project.lockHeld).toBe(false);

    const result = await reset(w, { all: true, volumes: true });
    expect(w.docker.volumes.size).toBe(0);
    expect(result.volumesRemoved).toContain('acme_db-data');
    // Volumes go last, once nothing mounts them.
    expect(w.docker.calls[w.docker.calls.length - 1]).toMatch(/^remove-volume /);
  });

  it('dry run lists the exact steps and changes nothing', async () => {
    const w = await deployed();
    const plan = await planReset(w, { all: true, volumes: true });
    expect(w.docker.calls).toEqual([]);
    expect(w.project.colorFile).toBe('blue');
    expect(plan.steps.map((s) => `${s.action}${'container' in s ? ` ${s.container}` : ''}`)).toEqual([
      'remove acme-platform-blue',
      'remove acme-rag-blue',
      'remove acme-crawler-blue',
      'remove acme-rag-green-next',
      'remove acme-proxy',
      'remove acme-convex',
      'remove acme-db',
      'clear-state',
      'remove-network',
      'remove-volumes',
    ]);
  });

  it('refuses while another operation holds the lock', async () => {
    const w = await deployed();
    w.project.lockHeld = true;
    await expect(reset(w)).rejects.toMatchObject({ code: 'LOCK_HELD' });
    expect(w.docker.calls).toEqual([]);
  });
});
