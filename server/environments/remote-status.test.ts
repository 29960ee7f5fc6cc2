import { describe, expect, it } from 'vitest';
import { fleetServices, remoteProbe, remoteStatusProject } from './remote-status';
import type { RemoteEndpoint, RemoteFiles } from '../remote/ssh-endpoint';

const filesOf = (entries: Record<string, string>): RemoteFiles => ({
  readFile: async (rel) => (rel in entries ? Buffer.from(entries[rel]!) : null),
  writeFileAtomic: async () => {
    throw new Error('read-only in this test');
  },
  checkWritable: async () => {},
});

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

describe('remoteStatusProject', () => {
  it('reads the project id and the colour state over the remote files, as the CLI writes them', async () => {
    const p = remoteStatusProject(filesOf({ 'tale.json': JSON.stringify({ version: 1, id: 'ev-remote' }), '.tale/deployment-color': 'green', '.tale/deployment-previous-version': '1.0.0\n' }));
    expect(await p.readProjectId()).toBe('ev-remote');
    expect(await p.readDeploymentColor()).toEqual({ color: 'green', invalid: false });
    expect(await p.readPreviousVersion()).toBe('1.0.0');
    const q = remoteStatusProject(filesOf({ 'tale.json': '{"id":"Bad Id"}', '.tale/deployment-color': 'purple' }));
    await expect(q.readProjectId()).rejects.toMatchObject({ code: 'PROJECT_ID_INVALID' });
    expect(await q.readDeploymentColor()).toEqual({ color: null, invalid: true });
  });

  it('a reachable directory without tale.json is reachable and not initialised, without asking Docker', async () => {
    const endpoint = { files: filesOf({}), docker: {} as RemoteEndpoint['docker'], close: async () => {} };
    expect(await remoteProbe(endpoint)).toMatchObject({ reachable: true, initialised: false, services: [], message: expect.stringContaining('tale.json') });
  });
});
