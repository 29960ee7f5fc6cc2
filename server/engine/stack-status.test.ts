import { describe, expect, it } from 'vitest';
import { deploy } from './deploy';
import { stackStatus } from './stack-status';
import { digestOf, fakeWorld } from './test-support/fake-ports';

describe('stackStatus', () => {
  it('reports every container with state, health, version, digest, start time and restarts', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    await deploy(w, { version: '2.0.0' });
    await w.docker.stopContainer('acme-proxy', 10);

    const s = await stackStatus(w.docker, w.project);

    expect(s).toMatchObject({ activeColor: 'green', activeSource: 'state-file', previousVersion: '1.0.0' });
    expect(s.containers).toHaveLength(9);
    const platform = s.containers.find((c) => c.name === 'acme-platform-green');
    expect(platform).toMatchObject({
      status: 'healthy',
      state: 'running',
      version: '2.0.0',
      digest: digestOf('2.0.0', 'platform'),
      restartCount: 0,
      active: true,
    });
    expect(platform?.startedAt).toMatch(/^2026-/);
    expect(s.containers.find((c) => c.name === 'acme-platform-blue')).toMatchObject({ exists: false, status: 'not deployed', active: false });
    expect(s.containers.find((c) => c.name === 'acme-proxy')).toMatchObject({ status: 'stopped' });
  });

  it('still lists containers when the live colour is ambiguous', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    for (const [name, c] of [...w.docker.containers]) {
      if (name.endsWith('-blue')) w.docker.containers.set(name.replace('blue', 'green'), { ...c, name: name.replace('blue', 'green') });
    }
    w.project.colorFile = 'purple';
    const s = await stackStatus(w.docker, w.project);
    expect(s.activeSource).toBe('ambiguous');
    expect(s.stateFile.invalid).toBe(true);
    expect(s.containers.filter((c) => c.exists)).toHaveLength(9);
  });
});
