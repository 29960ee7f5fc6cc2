import { atomicWriteFile } from './atomic-write';
import type { ProjectDir } from './file-ops';
import { ProjectError } from './project-error';
import { projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { Color } from '@/server/stack/types';

export type { Color };

export interface DeploymentLock {
  pid: number;
  startedAt: string;
  command: string;
  /**
   * Ours, ignored by the CLI (it reads only the three fields above): where the holder's pid means
   * something. See lock-liveness.ts. Absent in a lock the CLI wrote.
   */
  hostname?: string;
  bootId?: string;
}

async function ensureStateDir(at: ProjectDir): Promise<void> {
  await at.fs.mkdirp(projectPaths(at.dir).stateDir);
}

/**
 * The recorded active colour, or null. Like the CLI, anything but the exact words is "none";
 * callers must also ask Docker before acting on null (docs/architecture.md#the-live-colour).
 */
export async function readDeploymentColor(at: ProjectDir): Promise<{ color: Color | null; invalid: boolean }> {
  const text = await readOptional(projectPaths(at.dir).deploymentColor, at.fs);
  if (text === null) return { color: null, invalid: false };
  const trimmed = text.trim();
  if (trimmed === 'blue' || trimmed === 'green') return { color: trimmed, invalid: false };
  return { color: null, invalid: true };
}

/** Written without a newline, as the CLI does. */
export async function writeDeploymentColor(at: ProjectDir, color: Color): Promise<void> {
  await ensureStateDir(at);
  await atomicWriteFile(projectPaths(at.dir).deploymentColor, color, { fs: at.fs });
}

export async function readPreviousVersion(at: ProjectDir): Promise<string | null> {
  const text = await readOptional(projectPaths(at.dir).previousVersion, at.fs);
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export async function writePreviousVersion(at: ProjectDir, version: string): Promise<void> {
  if (!/^[A-Za-z0-9._+-]{1,128}$/.test(version)) {
    throw new ProjectError('STATE_INVALID', 'A version may contain only letters, digits and . _ + -');
  }
  await ensureStateDir(at);
  await atomicWriteFile(projectPaths(at.dir).previousVersion, version, { fs: at.fs });
}

/** `reset` removes both bookkeeping files; the lock and migrations log stay. */
export async function clearDeploymentState(at: ProjectDir): Promise<void> {
  const paths = projectPaths(at.dir);
  await at.fs.remove(paths.deploymentColor);
  await at.fs.remove(paths.previousVersion);
}

/** Accepts the CLI's lock shape only: a positive integer pid and string startedAt/command. */
export function parseDeploymentLock(text: string): DeploymentLock | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, startedAt, command } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (typeof startedAt !== 'string' || typeof command !== 'string') return null;
  const { hostname, bootId } = value as Record<string, unknown>;
  return {
    pid,
    startedAt,
    command,
    ...(typeof hostname === 'string' ? { hostname } : {}),
    ...(typeof bootId === 'string' ? { bootId } : {}),
  };
}

export function serializeDeploymentLock(lock: DeploymentLock): string {
  return JSON.stringify({ pid: lock.pid, startedAt: lock.startedAt, command: lock.command, hostname: lock.hostname, bootId: lock.bootId });
}

export type LockFileState =
  | { state: 'absent' }
  | { state: 'held'; lock: DeploymentLock }
  | { state: 'corrupt' };

export async function readDeploymentLock(at: ProjectDir): Promise<LockFileState> {
  const text = await readOptional(projectPaths(at.dir).deploymentLock, at.fs);
  if (text === null) return { state: 'absent' };
  const lock = parseDeploymentLock(text);
  return lock ? { state: 'held', lock } : { state: 'corrupt' };
}

/**
 * Creates the lock file exclusively (`wx`), the CLI's own race guard: whoever creates it first owns
 * it. Deciding whether an existing lock is stale is the caller's job (PID liveness does not work
 * across the console's PID namespace).
 */
export async function createDeploymentLock(at: ProjectDir, lock: DeploymentLock): Promise<void> {
  await ensureStateDir(at);
  try {
    // Not atomicWriteFile: the lock's whole point is the exclusive create. 0644, as the CLI's.
    await at.fs.createFile(projectPaths(at.dir).deploymentLock, serializeDeploymentLock(lock), 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ProjectError('LOCK_HELD', 'Deployment already in progress (lock file already exists)');
    }
    throw err;
  }
}

/**
 * The CLI's acquisition (docs/tale-cli.md#the-deployment-lock): a live holder blocks; a dead holder's lock is stale and removed; then
 * an exclusive create. `isAlive` is injected because a PID probe means nothing across the console
 * container's PID namespace — callers decide what "alive" means (e.g. their own lease). A corrupt
 * lock blocks, as in the CLI, but with its own code so the UI can offer to remove it.
 */
export async function acquireDeploymentLock(
  at: ProjectDir,
  lock: DeploymentLock,
  isAlive: (holder: DeploymentLock) => boolean | Promise<boolean>,
): Promise<{ staleRemoved: DeploymentLock | null }> {
  const current = await readDeploymentLock(at);
  let staleRemoved: DeploymentLock | null = null;
  if (current.state === 'corrupt') {
    throw new ProjectError('LOCK_CORRUPT', 'The deployment lock file is unreadable; remove .tale/deployment-lock once no deploy is running');
  }
  if (current.state === 'held') {
    if (await isAlive(current.lock)) {
      throw new ProjectError('LOCK_HELD', `Deployment already in progress (PID: ${current.lock.pid}, started: ${current.lock.startedAt})`);
    }
    await at.fs.remove(projectPaths(at.dir).deploymentLock);
    staleRemoved = current.lock;
  }
  await createDeploymentLock(at, lock);
  return { staleRemoved };
}

/** Removes the lock only if it is ours (same pid and startedAt) or corrupt, like the CLI's release. */
export async function releaseDeploymentLock(at: ProjectDir, ours: DeploymentLock): Promise<boolean> {
  const current = await readDeploymentLock(at);
  if (current.state === 'absent') return false;
  if (current.state === 'held' && (current.lock.pid !== ours.pid || current.lock.startedAt !== ours.startedAt)) return false;
  await at.fs.remove(projectPaths(at.dir).deploymentLock);
  return true;
}

/** For an operator-confirmed removal of a stale or corrupt lock. */
export async function removeDeploymentLock(at: ProjectDir): Promise<void> {
  await at.fs.remove(projectPaths(at.dir).deploymentLock);
}
