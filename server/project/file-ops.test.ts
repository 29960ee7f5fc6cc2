import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteFile } from './atomic-write';
import type { FileOps, ProjectDir } from './file-ops';
import { readEnvFile, updateEnvFile } from './env-file';
import { acquireDeploymentLock, readDeploymentLock } from './state-files';

/** Files in a Map: what a remote directory looks like to the project modules (no node:fs behind it). */
function memoryDir(dir: string, files: Record<string, string> = {}): ProjectDir & { files: Map<string, { data: Buffer; mode: number }> } {
  const map = new Map(Object.entries(files).map(([rel, text]) => [path.join(dir, rel), { data: Buffer.from(text), mode: 0o600 }]));
  const fs: FileOps = {
    readFile: async (f) => map.get(f)?.data ?? null,
    async createFile(f, data, mode) {
      if (map.has(f)) throw Object.assign(new Error(`EEXIST: ${f}`), { code: 'EEXIST' });
      map.set(f, { data: Buffer.from(data), mode });
    },
    async rename(from, to) {
      const entry = map.get(from);
      if (!entry) throw Object.assign(new Error(`ENOENT: ${from}`), { code: 'ENOENT' });
      map.delete(from);
      map.set(to, entry);
    },
    remove: async (f) => void map.delete(f),
    mkdirp: async () => {},
    list: async (d) => [...map.keys()].filter((f) => path.dirname(f) === d).map((f) => path.basename(f)),
    mode: async (f) => map.get(f)?.mode ?? null,
    syncDir: async () => {},
  };
  return { dir, fs, files: map };
}

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
