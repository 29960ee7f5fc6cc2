import { describe, expect, it } from 'vitest';
import { deploy } from './deploy';
import { planDeploy } from './deploy-plan';
import { HealthGateError } from './engine-error';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

const NET = 'acme_internal';

async function live(): Promise<FakeWorld> {
  const w = fakeWorld();
  await deploy(w, { version: '1.0.0' });
  await deploy(w, { version: '2.0.0' }); // green live, previous 1.0.0
  w.docker.calls.length = 0;
  return w;
}

const ids = (w: FakeWorld) => Object.fromEntries([...w.docker.containers.values()].map((c) => [c.name, c.id]));

describe('in-place update of named services', () => {
  it('replaces only platform in the live colour: gated, switched, renamed while both serve, old retired gracefully', async () => {
    const w = await live();
    const before = ids(w);
    const result = await deploy(w, { version: '3.0.0', services: ['platform'] });

    expect(result).toMatchObject({ color: 'green', version: '3.0.0', previousVersion: '2.0.0' });
    expect(result.plan.kind).toBe('update');
    expect(w.docker.calls.filter((c) => !c.startsWith('pull '))).toEqual([
      'create acme-platform-green-next',
      'start acme-platform-green-next',
      'disconnect acme-platform-green-next',
      'connect acme-platform-green-next platform,platform-green',
      // Both renames while old and new both answer to the shared aliases, then the old one drains.
      'rename acme-platform-green acme-platform-green-retiring',
      'rename acme-platform-green-next acme-platform-green',
      'stop acme-platform-green-retiring 30',
      'remove acme-platform-green-retiring',
    ]);
    expect(w.docker.calls.filter((c) => c.startsWith('pull '))).toEqual([expect.stringMatching(/tale-platform:3\.0\.0@sha256:/)]);
    // Never reachable under a shared name before it was healthy.
    expect(w.docker.aliasViolations).toEqual([]);
    const after = ids(w);
    expect(after['acme-platform-green']).not.toBe(before['acme-platform-green']);
    for (const name of ['acme-rag-green', 'acme-crawler-green', 'acme-db', 'acme-proxy', 'acme-convex']) {
      expect(after[name]).toBe(before[name]);
    }
    expect(Object.keys(after).filter((n) => n.includes('blue'))).toEqual([]);
    expect(w.docker.containers.get('acme-platform-green')?.networks[NET]).toEqual(['platform', 'platform-green']);
    expect(w.docker.containers.get('acme-platform-green')?.labels['io.tale.console.version']).toBe('3.0.0');
    expect(w.project.colorFile).toBe('green');
    expect(w.project.previousVersion).toBe('2.0.0');
    expect(w.project.lockHeld).toBe(false);
  });

  it('updates rag and crawler before platform when all three are named', async () => {
    const w = await live();
    await deploy(w, { version: '3.0.0', services: ['platform', 'rag', 'crawler'] });
    const creates = w.docker.calls.filter((c) => c.startsWith('create '));
    expect(creates).toEqual(['create acme-rag-green-next', 'create acme-crawler-green-next', 'create acme-platform-green-next']);
    expect(w.docker.calls.filter((c) => c.startsWith('stop '))).toEqual([
      'stop acme-platform-green-retiring 30',
      'stop acme-rag-green-retiring 30',
      'stop acme-crawler-green-retiring 30',
    ]);
    expect([...w.docker.containers.keys()].filter((n) => n.endsWith('-next'))).toEqual([]);
    expect(w.docker.aliasViolations).toEqual([]);
  });

  it('a replacement that never gets healthy is removed and the live container is never touched', async () => {
    const w = await live();
    const before = ids(w);
    w.docker.behaviourFor = () => ({ kind: 'unhealthy', afterPolls: 3 });
    const error = await deploy(w, { version: '3.0.0', services: ['platform'] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HealthGateError);
    expect((error as HealthGateError).container).toBe('acme-platform-green-next');
    expect(w.docker.containers.has('acme-platform-green-next')).toBe(false);
    expect(ids(w)).toEqual(before);
    expect(w.docker.callsFor('acme-platform-green')).toEqual([]);
    expect(w.docker.aliasViolations).toEqual([]);
    expect(w.project.previousVersion).toBe('1.0.0');
  });

  it('recreates a named stateful service in place and leaves the colours alone', async () => {
    const w = await live();
    const before = ids(w);
    const result = await deploy(w, { version: '3.0.0', services: ['convex'] });
    expect(result.previousVersion).toBeNull();
    expect(w.docker.calls.filter((c) => !c.startsWith('pull '))).toEqual(['stop acme-convex 10', 'remove acme-convex', 'create acme-convex', 'start acme-convex']);
    const after = ids(w);
    for (const name of ['acme-platform-green', 'acme-rag-green', 'acme-crawler-green', 'acme-db', 'acme-proxy']) expect(after[name]).toBe(before[name]);
    expect(w.project.previousVersion).toBe('1.0.0');
  });

  it('removes a replacement left by an interrupted update before starting a new one', async () => {
    const w = await live();
    await deploy(w, { version: '3.0.0', services: ['rag'] });
    // As if the console died after creating the replacement: a stray `-next` beside the live rag.
    const rag = w.docker.containers.get('acme-rag-green');
    if (!rag) throw new Error('fixture');
    w.docker.containers.set('acme-rag-green-next', { ...rag, id: 'stray', name: 'acme-rag-green-next', networks: { [NET]: [] } });
    w.docker.calls.length = 0;
    await deploy(w, { version: '3.0.0', services: ['rag'] });
    expect(w.docker.calls.filter((c) => !c.startsWith('pull ')).slice(0, 3)).toEqual([
      'stop acme-rag-green-next 30',
      'remove acme-rag-green-next',
      'create acme-rag-green-next',
    ]);
  });

  it('dry run: the exact steps, nothing changed', async () => {
    const w = await live();
    const plan = await planDeploy(w, { version: '3.0.0', services: ['platform'] });
    expect(w.docker.calls).toEqual([]);
    expect(plan.steps.map((s) => `${s.phase} ${s.action}${'container' in s ? ` ${s.container}` : ''}`)).toEqual([
      'pull pull',
      'infrastructure ensure-network',
      'start create acme-platform-green-next',
      'start start acme-platform-green-next',
      'health wait-healthy',
      'switch switch acme-platform-green-next',
      'switch write-state',
      'switch rename acme-platform-green',
      'switch rename acme-platform-green-next',
      'retire retire acme-platform-green-retiring',
    ]);
  });

  it('refuses unknown services and an update without a live colour', async () => {
    const w = await live();
    await expect(deploy(w, { version: '3.0.0', services: ['platform', 'nginx' as never] })).rejects.toMatchObject({ code: 'INVALID_SERVICES' });
    await expect(deploy(w, { version: '3.0.0', services: [] })).rejects.toMatchObject({ code: 'INVALID_SERVICES' });
    const empty = fakeWorld();
    await expect(deploy(empty, { version: '1.0.0', services: ['platform'] })).rejects.toMatchObject({ code: 'NO_ACTIVE_DEPLOYMENT' });
    expect(empty.docker.calls).toEqual([]);
    expect(w.docker.calls).toEqual([]);
  });
});
