import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adoptStagedTarget, assertFreshDirectory, writeOrder, writeProjectFiles } from './fresh-host';
import { localDir } from '../project/file-ops';
import { targetFiles } from './target-store';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-fresh-host-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a fresh deployment directory', () => {
  it('is one that does not exist or holds nothing; anything in it is refused and named', async () => {
    await expect(assertFreshDirectory(localDir(path.join(tmp, 'missing')))).resolves.toBeUndefined();
    await expect(assertFreshDirectory(localDir(tmp))).resolves.toBeUndefined();
    fs.writeFileSync(path.join(tmp, '.gitignore'), '');
    await expect(assertFreshDirectory(localDir(tmp))).rejects.toMatchObject({ code: 'DEPLOY_DIR_NOT_FRESH', message: expect.stringContaining('.gitignore') });
  });
});

describe('the project files written into it', () => {
  it('come in the backup’s list order with tale.json last, so a half-written directory is never a project', () => {
    const files = { 'tale.json': Buffer.from('{}'), '.env': Buffer.from('A=1\n'), '.tale/console-releases.json': Buffer.from('[]') };
    expect(writeOrder(files)).toEqual(['.env', '.tale/console-releases.json', 'tale.json']);
  });

  it('are written byte for byte, .env 0600, and only the paths a backup takes', async () => {
    const dir = path.join(tmp, 'deploy');
    const env = Buffer.from('DB_PASSWORD=s3cret\n');
    const written = await writeProjectFiles(localDir(dir), { 'tale.json': Buffer.from('{"id":"acme"}\n'), '.env': env, '.tale/migrations.json': Buffer.from('{}'), '../escape': Buffer.from('x') } as Record<string, Buffer>);
    expect(written).toEqual(['.env', '.tale/migrations.json', 'tale.json']);
    expect(fs.readFileSync(path.join(dir, '.env')).equals(env)).toBe(true);
    expect(fs.statSync(path.join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'tale.json')).mode & 0o777).toBe(0o644);
    expect(fs.existsSync(path.join(tmp, 'escape'))).toBe(false);
  });
});

describe('the staged repository setting', () => {
  it('becomes the console’s own, every file 0600, dropping files of another target type', async () => {
    const staged = { dataDir: path.join(tmp, 'staged'), passwordFile: path.join(tmp, 'staged', 'password') };
    const own = { dataDir: path.join(tmp, 'own'), passwordFile: path.join(tmp, 'own', 'backup-password') };
    const from = targetFiles(staged.dataDir);
    const to = targetFiles(own.dataDir);
    fs.mkdirSync(from.dir, { recursive: true });
    fs.writeFileSync(from.setting, '{"type":"local","path":"/srv/backups"}\n');
    fs.writeFileSync(staged.passwordFile, 'the-password');
    fs.mkdirSync(to.dir, { recursive: true });
    fs.writeFileSync(to.privateKey, 'an old key', { mode: 0o644 });
    fs.writeFileSync(own.passwordFile, 'x', { mode: 0o644 });
    await adoptStagedTarget(staged, own);
    expect(fs.readFileSync(to.setting, 'utf8')).toContain('/srv/backups');
    expect(fs.existsSync(to.privateKey)).toBe(false);
    expect(fs.readFileSync(own.passwordFile, 'utf8')).toBe('the-password');
    for (const f of [to.setting, own.passwordFile]) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });
});
