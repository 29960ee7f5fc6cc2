import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureProjectId, findProjectRoot, projectIdOf, readTaleJson, writeTaleJson } from './tale-json';
import { localDir } from '@/server/project/file-ops';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tale-json-'));
  dir = path.join(root, 'My Project');
  await fs.mkdir(dir);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const write = (obj: unknown) => fs.writeFile(path.join(dir, 'tale.json'), JSON.stringify(obj));

describe('tale.json', () => {
  it('finds the nearest ancestor that has tale.json', async () => {
    await write({ version: 1, cliVersion: '0.9.0', createdAt: 'x', id: 'p-abcdef' });
    const nested = path.join(dir, 'agents', 'deep');
    await fs.mkdir(nested, { recursive: true });
    expect(await findProjectRoot(nested)).toBe(dir);
    expect(await findProjectRoot(root)).toBeNull();
  });

  it('reports a missing project and a missing or invalid id with the CLI messages', async () => {
    await expect(readTaleJson(localDir(dir))).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND', message: expect.stringContaining('tale init') });
    await write({ version: 1, cliVersion: '0.9.0', createdAt: 'x' });
    expect(() => projectIdOf({ version: 1, cliVersion: '', createdAt: '' })).toThrow(/Run "tale upgrade" to assign one/);
    expect(() => projectIdOf({ version: 1, cliVersion: '', createdAt: '', id: 'Bad_ID' })).toThrow(
      'Project ID "Bad_ID" in tale.json is invalid. Expected [a-z0-9][a-z0-9-]* and max 40 chars.',
    );
    await fs.writeFile(path.join(dir, 'tale.json'), '{nope');
    await expect(readTaleJson(localDir(dir))).rejects.toMatchObject({ code: 'TALE_JSON_INVALID' });
  });

  it('assigns a missing id once, from the directory name, keeping unknown fields', async () => {
    await write({ version: 1, cliVersion: '0.9.0', createdAt: '2026-01-01T00:00:00.000Z', future: { a: 1 } });
    const first = await ensureProjectId(localDir(dir));
    expect(first.assigned).toBe(true);
    expect(first.id).toMatch(/^my-project-[0-9a-f]{6}$/);
    const second = await ensureProjectId(localDir(dir));
    expect(second).toEqual({ id: first.id, assigned: false });
    const stored = await readTaleJson(localDir(dir));
    expect(stored).toMatchObject({ future: { a: 1 }, createdAt: '2026-01-01T00:00:00.000Z', id: first.id });
  });

  it('writes pretty JSON the CLI can read back', async () => {
    await writeTaleJson(localDir(dir), { version: 1, cliVersion: '1.2.3', createdAt: 'c', id: 'abc-123456' });
    const text = await fs.readFile(path.join(dir, 'tale.json'), 'utf8');
    expect(JSON.parse(text)).toEqual({ version: 1, cliVersion: '1.2.3', createdAt: 'c', id: 'abc-123456' });
  });
});
