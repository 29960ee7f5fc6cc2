import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile } from './atomic-write';
import { listHistory, restoreHistoryEntry, sha256 } from './file-history';
import { projectPaths } from './project-paths';
import { localDir } from '@/server/project/file-ops';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tc-history-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const at = (s: number) => () => new Date(Date.UTC(2026, 10, 26, 8, 0, s));

describe('file history', () => {
  it('lists versions newest first and restores exact bytes, keeping the replaced version', async () => {
    const paths = projectPaths(dir);
    const v1 = 'HOST=a.example.com\r\n# comment \r\nX="y z"\n';
    await fs.writeFile(paths.env, v1, { mode: 0o600 });
    await atomicWriteFile(paths.env, 'HOST=b.example.com\n', { backupDir: paths.backups, now: at(1) });
    await atomicWriteFile(paths.env, 'HOST=c.example.com\n', { backupDir: paths.backups, now: at(2) });
    await fs.writeFile(path.join(paths.backups, 'unrelated.txt'), 'x');

    const history = await listHistory(localDir(dir));
    expect(history.map((h) => h.id)).toEqual(['.env.2026-11-26T08-00-02-000Z', '.env.2026-11-26T08-00-01-000Z']);
    expect(history[1]!.sha256).toBe(sha256(v1));

    const restored = await restoreHistoryEntry(localDir(dir), history[1]!.id, at(3));
    expect(restored).toEqual({ file: '.env', sha256: sha256(v1) });
    expect(await fs.readFile(paths.env, 'utf8')).toBe(v1);
    expect((await fs.stat(paths.env)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(path.join(paths.backups, '.env.2026-11-26T08-00-03-000Z'), 'utf8')).toBe('HOST=c.example.com\n');
  });

  it('refuses names outside the pattern', async () => {
    await expect(restoreHistoryEntry(localDir(dir), '../tale.json')).rejects.toThrow(/Unknown version/);
  });
});
