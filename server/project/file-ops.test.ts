import { describe, expect, it } from 'vitest';
import { atomicWriteFile } from './atomic-write';
import type { FileOps } from './file-ops';
import { memoryDir } from '../test-support/memory-dir';
import { readEnvFile, updateEnvFile } from './env-file';
import { acquireDeploymentLock, readDeploymentLock } from './state-files';

describe('the project modules through FileOps (a directory that is not on this disk)', () => {
  it('edits .env with its mode kept and the previous version under .tale/backups', async () => {
    const at = memoryDir('/srv/tale', { '.env': 'HOST=a.example\n' });
    await updateEnvFile(at, { HOST: 'b.example' }, { now: () => new Date('2026-12-03T10:00:00Z') });
    expect((await readEnvFile(at)).values.HOST).toBe('b.example');
    expect(at.files.get('/srv/tale/.env')?.mode).toBe(0o600);
    expect(at.files.get('/srv/tale/.tale/backups/.env.2026-12-03T10-00-00-000Z')?.data.toString()).toBe('HOST=a.example\n');
    // No temp file is left beside the real one.
    expect([...at.files.keys()].filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('takes the deployment lock by exclusive create: a second holder is refused while the first is alive', async () => {
    const at = memoryDir('/srv/tale');
    const first = { pid: 1, startedAt: '2026-12-03T10:00:00Z', command: 'deploy' };
    await acquireDeploymentLock(at, first, () => true);
    expect(await readDeploymentLock(at)).toEqual({ state: 'held', lock: first });
    await expect(acquireDeploymentLock(at, { ...first, pid: 2 }, () => true)).rejects.toMatchObject({ code: 'LOCK_HELD' });
  });

  it('leaves the old file whole when the write fails before the rename', async () => {
    const at = memoryDir('/srv/tale', { 'tale.json': '{"version":1}' });
    const failing: FileOps = { ...at.fs, rename: async () => Promise.reject(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' })) };
    await expect(atomicWriteFile('/srv/tale/tale.json', '{"version":2}', { fs: failing })).rejects.toThrow('connection lost');
    expect(at.files.get('/srv/tale/tale.json')?.data.toString()).toBe('{"version":1}');
    expect([...at.files.keys()]).toEqual(['/srv/tale/tale.json']);
  });
});
