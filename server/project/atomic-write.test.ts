import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile } from './atomic-write';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('atomicWriteFile', () => {
  it('creates a new file with the requested mode and no backup', async () => {
    const file = path.join(dir, 'a.txt');
    const res = await atomicWriteFile(file, 'one', { mode: 0o600, backupDir: path.join(dir, 'b') });
    expect(res.backupPath).toBeNull();
    expect(await fs.readFile(file, 'utf8')).toBe('one');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps the existing mode, backs up the old content and leaves no temp file', async () => {
    const file = path.join(dir, 'a.txt');
    await fs.writeFile(file, 'old', { mode: 0o640 });
    await fs.chmod(file, 0o640);
    const backups = path.join(dir, 'backups');
    const times = [new Date('2026-01-01T00:00:00.000Z'), new Date('2026-01-01T00:00:01.000Z')];
    await atomicWriteFile(file, 'new', { backupDir: backups, now: () => times[0] as Date });
    await atomicWriteFile(file, 'newer', { backupDir: backups, now: () => times[1] as Date });
    expect(await fs.readFile(file, 'utf8')).toBe('newer');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    const names = (await fs.readdir(backups)).sort();
    expect(names).toEqual(['a.txt.2026-01-01T00-00-00-000Z', 'a.txt.2026-01-01T00-00-01-000Z']);
    expect(await fs.readFile(path.join(backups, names[0] as string), 'utf8')).toBe('old');
    expect(await fs.readFile(path.join(backups, names[1] as string), 'utf8')).toBe('new');
    expect((await fs.readdir(dir)).sort()).toEqual(['a.txt', 'backups']);
  });

  it('fails without creating anything when the directory is missing', async () => {
    const file = path.join(dir, 'missing-dir', 'a.txt');
    await expect(atomicWriteFile(file, 'x')).rejects.toThrow(/ENOENT/);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
