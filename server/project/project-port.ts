import type { ProjectPort } from '@/server/engine/ports';
import { readComposeOverride } from './compose-override';
import { readEnvFile } from './env-file';
import {
  acquireDeploymentLock,
  clearDeploymentState,
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
 * runs: the CLI's lock names a pid, which only the host can check.
 */
export function createProjectPort(dir: string, isAlive: (holder: DeploymentLock) => boolean): ProjectPort {
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
      const lock = { pid: process.pid, startedAt: new Date().toISOString(), command };
      await acquireDeploymentLock(dir, lock, isAlive);
      return { release: async () => void (await releaseDeploymentLock(dir, lock)) };
    },
  };
}
