import type { ProjectPort } from '@/server/engine/ports';
import { readComposeOverride } from './compose-override';
import { readEnvFile } from './env-file';
import { readReleases, recordRelease } from './release-records';
import {
  acquireDeploymentLock,
  clearDeploymentState,
  readDeploymentLock,
  removeDeploymentLock,
  readDeploymentColor,
  readPreviousVersion,
  releaseDeploymentLock,
  writeDeploymentColor,
  writePreviousVersion,
  type DeploymentLock,
} from './state-files';
import { projectIdOf, readTaleJson } from './tale-json';

/**
 * The engine's view of a deployment directory. `isAlive` decides whether a lock's holder still
 * runs: the CLI's lock names a pid, which only the host can check. `identity` is written into our
 * own locks so a later process can tell where that pid lived (lock-liveness.ts).
 */
export function createProjectPort(
  dir: string,
  isAlive: (holder: DeploymentLock) => boolean,
  identity: Pick<DeploymentLock, 'hostname' | 'bootId'> = {},
): ProjectPort {
  return {
    dir,
    readProjectId: async () => projectIdOf(await readTaleJson(dir)),
    readEnv: async () => (await readEnvFile(dir)).values,
    readOverride: async () => (await readComposeOverride(dir)).override,
    readDeploymentColor: () => readDeploymentColor(dir),
    writeDeploymentColor: (c) => writeDeploymentColor(dir, c),
    readPreviousVersion: () => readPreviousVersion(dir),
    writePreviousVersion: (v) => writePreviousVersion(dir, v),
    clearDeploymentState: () => clearDeploymentState(dir),
    async acquireLock(command) {
      const lock = { pid: process.pid, startedAt: new Date().toISOString(), command, ...identity };
      await acquireDeploymentLock(dir, lock, isAlive);
      return { release: async () => void (await releaseDeploymentLock(dir, lock)) };
    },
    async inspectLock() {
      const current = await readDeploymentLock(dir);
      if (current.state !== 'held') return current;
      const { pid, startedAt, command } = current.lock;
      return { state: 'held', holder: { pid, startedAt, command }, stale: !isAlive(current.lock) };
    },
    async removeStaleLock(holder) {
      // Read again right before removing: a new holder may have replaced the stale lock meanwhile.
      const current = await readDeploymentLock(dir);
      if (current.state !== 'held' || current.lock.pid !== holder.pid || current.lock.startedAt !== holder.startedAt) return false;
      if (isAlive(current.lock)) return false;
      await removeDeploymentLock(dir);
      return true;
    },
    readReleases: () => readReleases(dir),
    recordRelease: (record) => recordRelease(dir, record),
  };
}
