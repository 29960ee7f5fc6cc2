import { describe, expect, it } from 'vitest';
import { fleetServices, remoteProbe } from './remote-status';
import { memoryDir } from '../test-support/memory-dir';
import type { RemoteEndpoint, RemoteFiles } from '../remote/ssh-endpoint';

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

describe('remoteProbe', () => {
  it('a reachable directory without tale.json is reachable and not initialised, without asking Docker', async () => {
    const endpoint = { files: {} as RemoteFiles, project: memoryDir('/srv/tale'), docker: {} as RemoteEndpoint['docker'], close: async () => {} };
    expect(await remoteProbe(endpoint)).toMatchObject({ reachable: true, initialised: false, services: [], message: expect.stringContaining('No Tale project') });
  });
});
