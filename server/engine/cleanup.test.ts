import { describe, expect, it } from 'vitest';
import { cleanup } from './cleanup';
import { deploy } from './deploy';
import { fakeWorld } from './test-support/fake-ports';

async function withLeftoverGreen() {
  const w = fakeWorld();
  await deploy(w, { version: '1.0.0' });
  w.docker.behaviourFor = () => ({ kind: 'never-healthy' });
  // A CLI-style failed green: left running. Re-create it by hand, since our engine removes it.
  const rag = w.docker.containers.get('acme-rag-blue');
  if (!rag) throw new Error('fixture');
  w.docker.containers.set('acme-rag-green', {
    ...rag,
    id: 'g1',
    name: 'acme-rag-green',
    labels: { ...rag.labels, 'com.docker.compose.project': 'acme-green' },
  });
  w.docker.calls.length = 0;
  return w;
}

describe('cleanup', () => {
  it('gracefully removes the inactive colour and nothing else', async () => {
    const w = await withLeftoverGreen();
    const result = await cleanup(w);
    expect(result).toMatchObject({ activeColor: 'blue', removed: ['acme-rag-green'] });
    expect(w.docker.calls).toEqual(['stop acme-rag-green 30', 'remove acme-rag-green']);
    expect(w.project.lockHeld).toBe(false);
  });

  it('with a missing state file still keeps the running colour', async () => {
    const w = await withLeftoverGreen();
    // Only blue's platform holds the shared alias: green is a candidate left behind.
    const g = w.docker.containers.get('acme-rag-green');
    if (g) g.networks = { acme_internal: ['rag-green'] };
    w.project.colorFile = null;
    const result = await cleanup(w);
    expect(result.activeColor).toBe('blue');
    expect(w.docker.calls.every((c) => c.includes('-green'))).toBe(true);
    expect(w.docker.containers.has('acme-platform-blue')).toBe(true);
  });

  it('does nothing without an active deployment', async () => {
    const w = fakeWorld();
    const result = await cleanup(w);
    expect(result).toMatchObject({ activeColor: null, removed: [] });
    expect(w.events.outline()).toContain('cleanup:skipped');
  });
});
