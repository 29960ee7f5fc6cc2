import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUIRED_ENV_KEYS } from '@/lib/settings/env-catalog';
import { readEnvFile } from './env-file';
import { initProject } from './init-project';
import { agePublicKey } from './secrets';
import { readTaleJson } from './tale-json';
import { localDir } from '@/server/project/file-ops';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'init-'));
  dir = path.join(root, 'acme-prod');
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const input = { host: 'tale.acme.test', tlsMode: 'letsencrypt' as const, tlsEmail: 'ops@acme.test', cliVersion: '0.9.0' };

describe('initProject', () => {
  it('creates tale.json, .tale/, .gitignore and a complete .env', async () => {
    const fixed = new Date('2026-03-04T05:06:07.000Z');
    const { id, envCreated } = await initProject(localDir(dir), { ...input, now: () => fixed });
    expect(envCreated).toBe(true);
    expect(id).toMatch(/^acme-prod-[0-9a-f]{6}$/);
    expect(await readTaleJson(localDir(dir))).toEqual({ version: 1, cliVersion: '0.9.0', createdAt: fixed.toISOString(), id });

    const migrations = JSON.parse(await fs.readFile(path.join(dir, '.tale', 'migrations.json'), 'utf8'));
    expect(migrations.applied.map((m: { id: string }) => m.id)).toEqual([
      'namespace-volumes', 'split-convex', 'namespace-caddy-config', 'adopt-convex-stateful',
    ]);
    const gitignore = await fs.readFile(path.join(dir, '.gitignore'), 'utf8');
    expect(gitignore.split('\n')).toEqual(expect.arrayContaining(['.tale/', '.env', '**/*.secrets.json']));

    const { values } = await readEnvFile(localDir(dir));
    for (const key of REQUIRED_ENV_KEYS) expect(values[key], key).toBeTruthy();
    expect(values).toMatchObject({ HOST: 'tale.acme.test', SITE_URL: 'https://tale.acme.test', TLS_MODE: 'letsencrypt', TLS_EMAIL: 'ops@acme.test' });
    expect((await fs.stat(path.join(dir, '.env'))).mode & 0o777).toBe(0o600);
  });

  it('generates secrets with the CLI lengths and alphabets and a real age identity', async () => {
    await initProject(localDir(dir), input);
    const { values } = await readEnvFile(localDir(dir));
    expect(values.BETTER_AUTH_SECRET).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(values.ENCRYPTION_SECRET_HEX).toMatch(/^[0-9a-f]{64}$/);
    expect(values.INSTANCE_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(values.INSTANCE_SECRET).not.toBe(values.ENCRYPTION_SECRET_HEX);
    expect(values.DB_PASSWORD).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(values.SOPS_AGE_KEY).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(await agePublicKey(values.SOPS_AGE_KEY as string)).toMatch(/^age1[0-9a-z]{58}$/);
  });

  it('refuses an existing project without force, and keeps id/createdAt with force', async () => {
    const first = await initProject(localDir(dir), input);
    const before = await readTaleJson(localDir(dir));
    const envBefore = await fs.readFile(path.join(dir, '.env'), 'utf8');
    await expect(initProject(localDir(dir), input)).rejects.toMatchObject({ code: 'PROJECT_EXISTS' });
    const again = await initProject(localDir(dir), { ...input, cliVersion: '1.0.0', force: true });
    expect(again).toEqual({ id: first.id, envCreated: false });
    const after = await readTaleJson(localDir(dir));
    expect(after).toMatchObject({ id: before.id, createdAt: before.createdAt, cliVersion: '1.0.0' });
    expect(await fs.readFile(path.join(dir, '.env'), 'utf8')).toBe(envBefore);
  });

  it('completes an existing partial .env by appending only the missing keys', async () => {
    await fs.mkdir(dir, { recursive: true });
    const partial = '# mine\r\nHOST=keep.example\r\nDB_PASSWORD=existingpassword1\r\n';
    await fs.writeFile(path.join(dir, '.env'), partial);
    await initProject(localDir(dir), input);
    const text = await fs.readFile(path.join(dir, '.env'), 'utf8');
    expect(text.startsWith(partial)).toBe(true);
    const { values } = await readEnvFile(localDir(dir));
    expect(values.HOST).toBe('keep.example');
    expect(values.SITE_URL).toBe('https://keep.example');
    expect(values.DB_PASSWORD).toBe('existingpassword1');
    for (const key of REQUIRED_ENV_KEYS) expect(values[key], key).toBeTruthy();
  });

  it('refuses invalid input before touching the disk', async () => {
    await expect(initProject(localDir(dir), { ...input, host: 'https://x' })).rejects.toMatchObject({
      code: 'ENV_INVALID',
      fieldErrors: { HOST: expect.any(String) },
    });
    await expect(fs.access(dir)).rejects.toThrow();
  });
});
