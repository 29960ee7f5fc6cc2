import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireDeploymentLock,
  clearDeploymentState,
  createDeploymentLock,
  readDeploymentColor,
  readDeploymentLock,
  readPreviousVersion,
  releaseDeploymentLock,
  writeDeploymentColor,
  writePreviousVersion,
} from './state-files';
import { localDir } from '@/server/project/file-ops';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'state-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});
const stateFile = (name: string) => path.join(dir, '.tale', name);

describe('.tale state files', () => {
  it('writes the colour as the bare word, no newline, and reads it back', async () => {
    expect(await readDeploymentColor(localDir(dir))).toEqual({ color: null, invalid: false });
    await writeDeploymentColor(localDir(dir), 'green');
    expect(await fs.readFile(stateFile('deployment-color'), 'utf8')).toBe('green');
    expect(await readDeploymentColor(localDir(dir))).toEqual({ color: 'green', invalid: false });
    await fs.writeFile(stateFile('deployment-color'), 'purple');
    expect(await readDeploymentColor(localDir(dir))).toEqual({ color: null, invalid: true });
  });

  it('stores the previous version trimmed, treats empty as none, and refuses odd text', async () => {
    await writePreviousVersion(localDir(dir), '0.9.0');
    expect(await fs.readFile(stateFile('deployment-previous-version'), 'utf8')).toBe('0.9.0');
    await fs.writeFile(stateFile('deployment-previous-version'), '  \n');
    expect(await readPreviousVersion(localDir(dir))).toBeNull();
    await fs.writeFile(stateFile('deployment-previous-version'), '1.0.0-rc2\n');
    expect(await readPreviousVersion(localDir(dir))).toBe('1.0.0-rc2');
    await expect(writePreviousVersion(localDir(dir), '1.0\nX')).rejects.toMatchObject({ code: 'STATE_INVALID' });
  });

  it('clears colour and previous version but keeps the lock', async () => {
    await writeDeploymentColor(localDir(dir), 'blue');
    await writePreviousVersion(localDir(dir), '0.1.0');
    await createDeploymentLock(localDir(dir), { pid: 7, startedAt: 't', command: 'reset' });
    await clearDeploymentState(localDir(dir));
    expect((await fs.readdir(path.join(dir, '.tale'))).sort()).toEqual(['deployment-lock']);
  });

  it('creates the lock in the CLI JSON shape, exclusively', async () => {
    const lock = { pid: 1234, startedAt: '2026-05-20T10:00:00.000Z', command: 'deploy 0.9.0' };
    await createDeploymentLock(localDir(dir), lock);
    expect(await fs.readFile(stateFile('deployment-lock'), 'utf8')).toBe(
      '{"pid":1234,"startedAt":"2026-05-20T10:00:00.000Z","command":"deploy 0.9.0"}',
    );
    expect(await readDeploymentLock(localDir(dir))).toEqual({ state: 'held', lock });
    await expect(createDeploymentLock(localDir(dir), { ...lock, pid: 99 })).rejects.toMatchObject({ code: 'LOCK_HELD' });
  });

  it('releases only its own lock, and a corrupt one', async () => {
    const lock = { pid: 1234, startedAt: 'a', command: 'deploy 1' };
    await createDeploymentLock(localDir(dir), lock);
    expect(await releaseDeploymentLock(localDir(dir), { ...lock, pid: 5 })).toBe(false);
    expect(await releaseDeploymentLock(localDir(dir), lock)).toBe(true);
    expect(await readDeploymentLock(localDir(dir))).toEqual({ state: 'absent' });
    await fs.writeFile(stateFile('deployment-lock'), '{"pid":-1');
    expect(await readDeploymentLock(localDir(dir))).toEqual({ state: 'corrupt' });
    await fs.writeFile(stateFile('deployment-lock'), '{"pid":0,"startedAt":"a","command":"x"}');
    expect(await readDeploymentLock(localDir(dir))).toEqual({ state: 'corrupt' });
    expect(await releaseDeploymentLock(localDir(dir), lock)).toBe(true);
  });

  it('acquires like the CLI: a live holder blocks, a dead one is stale, a corrupt file blocks', async () => {
    const mine = { pid: 10, startedAt: 'now', command: 'deploy 1.0.0' };
    const other = { pid: 20, startedAt: 'before', command: 'deploy 0.9.0' };
    expect(await acquireDeploymentLock(localDir(dir), other, () => false)).toEqual({ staleRemoved: null });
    await expect(acquireDeploymentLock(localDir(dir), mine, (h) => h.pid === 20)).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: 'Deployment already in progress (PID: 20, started: before)',
    });
    expect(await acquireDeploymentLock(localDir(dir), mine, () => false)).toEqual({ staleRemoved: other });
    expect(await readDeploymentLock(localDir(dir))).toEqual({ state: 'held', lock: mine });
    await fs.writeFile(stateFile('deployment-lock'), 'garbage');
    await expect(acquireDeploymentLock(localDir(dir), mine, () => false)).rejects.toMatchObject({ code: 'LOCK_CORRUPT' });
  });
});
