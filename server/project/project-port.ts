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
import type { ProjectDir } from './file-ops';

/**
 * The engine's view of a deployment directory. `isAlive` decides whether a lock's holder still
 * runs: the CLI's lock names a pid, which only the host can check. `identity` is written into our
 * own locks so a later process can tell where that pid lived (lock-liveness.ts).
 */
export function createProjectPort(
  at: ProjectDir,
  isAlive: (holder: DeploymentLock) => boolean,
  identity: Pick<DeploymentLock, 'hostname' | 'bootId'> = {},
): ProjectPort {
  return {
    dir: at.dir,
    readProjectId: async () => projectIdOf(await readTaleJson(at)),
    readEnv: async () => (await readEnvFile(at)).values,
    readOverride: async () => (await readComposeOverride(at)).override,
    readDeploymentColor: () => readDeploymentColor(at),
    writeDeploymentColor: (c) => writeDeploymentColor(at, c),
    readPreviousVersion: () => readPreviousVersion(at),
    writePreviousVersion: (v) => writePreviousVersion(at, v),
    clearDeploymentState: () => clearDeploymentState(at),
    async acquireLock(command) {
      const lock = { pid: process.pid, startedAt: new Date().toISOString(), command, ...identity };
      await acquireDeploymentLock(at, lock, isAlive);
      return { release: async () => void (await releaseDeploymentLock(at, lock)) };
    },
    async inspectLock() {
      const current = await readDeploymentLock(at);
      if (current.state !== 'held') return current;
      const { pid, startedAt, command } = current.lock;
      return { state: 'held', holder: { pid, startedAt, command }, stale: !isAlive(current.lock) };
    },
    async removeStaleLock(holder) {
      // Read again right before removing: a new holder may have replaced the stale lock meanwhile.
      const current = await readDeploymentLock(at);
      if (current.state !== 'held' || current.lock.pid !== holder.pid || current.lock.startedAt !== holder.startedAt) return false;
      if (isAlive(current.lock)) return false;
      await removeDeploymentLock(at);
      return true;
    },
    readReleases: () => readReleases(at),
    recordRelease: (record) => recordRelease(at, record),
  };
}
