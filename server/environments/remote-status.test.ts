import { describe, expect, it } from 'vitest';
import { fleetServices, stackProbe } from './remote-status';
import { createProjectPort } from '../project/project-port';
import type { DockerPort } from '../engine/ports';
import { RemoteError } from '../remote/remote-error';
import { memoryDir } from '../test-support/memory-dir';

describe('fleetServices', () => {
  it('shows the live colour of a rotating service and the only container of a stateful one', () => {
    const rows = fleetServices([
      { service: 'db', status: 'healthy', version: '1.0.0', active: true, color: null },
      { service: 'platform', status: 'stopped', version: '0.9.0', active: false, color: 'blue' },
      { service: 'platform', status: 'unhealthy', version: '1.0.0', active: true, color: 'green' },
      { service: 'rag', status: 'not deployed', version: null, active: false, color: 'blue' },
      { service: 'rag', status: 'starting', version: '1.0.0', active: false, color: 'green' },
    ]);
    expect(rows).toEqual([
      { service: 'db', status: 'healthy', version: '1.0.0' },
      { service: 'platform', status: 'unhealthy', version: '1.0.0' },
      // No live colour for rag: whichever exists, never "not deployed" while one does.
      { service: 'rag', status: 'starting', version: '1.0.0' },
    ]);
  });
});

describe('stackProbe', () => {
  const noDocker = new Proxy({}, { get: () => () => Promise.reject(new Error('Docker was asked')) }) as DockerPort;

  it('a reachable directory without tale.json is reachable and not initialised, without asking Docker', async () => {
    const project = createProjectPort(memoryDir('/srv/tale'), () => true);
    expect(await stackProbe(noDocker, project)).toMatchObject({ reachable: true, initialised: false, services: [], message: expect.stringContaining('No Tale project') });
  });

  it('a transport error is the host\'s: thrown, never shown as an empty project', async () => {
    const dir = memoryDir('/srv/tale');
    const lost = { ...dir, fs: { ...dir.fs, readFile: () => Promise.reject(new RemoteError('CONNECTION_LOST', 'gone')) } };
    await expect(stackProbe(noDocker, createProjectPort(lost as typeof dir, () => true))).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });
});
