import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { DeploymentLock } from './state-files';

/** Where this process runs, as far as a lock's pid is concerned. */
export interface LockSelf {
  pid: number;
  hostname: string;
  /** The kernel's boot id: the same inside and outside containers, new after every reboot. */
  bootId: string;
  /** When this process started (ms since the epoch). */
  startedAtMs: number;
  /** In a container our pid namespace is not the host's, so a host pid cannot be probed. */
  inContainer: boolean;
  /** `kill(pid, 0)`: true when the process exists (EPERM counts as existing). */
  probe(pid: number): boolean;
}

function probe(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export function currentLockSelf(): LockSelf {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    bootId: readBootId(),
    startedAtMs: Date.now() - process.uptime() * 1000,
    inContainer: existsSync('/.dockerenv') || existsSync('/run/.containerenv'),
    probe,
  };
}

/** The identity fields the console writes into its own locks. */
export function lockIdentity(self: LockSelf): Pick<DeploymentLock, 'hostname' | 'bootId'> {
  return { hostname: self.hostname, bootId: self.bootId };
}

/**
 * Is the holder of `.tale/deployment-lock` still running? The CLI's rule is a bare `kill(pid, 0)`,
 * which is wrong across PID namespaces (a console in a container sees none of the host's pids, and
 * after a restart the console in a container is often pid 1 again, the very pid its dead
 * predecessor wrote). So the console writes its hostname and the kernel's boot id beside the pid,
 * and decides:
 * - A lock from another boot is dead: no process survives a reboot.
 * - A console lock from this host/container and this boot: its pid is comparable with ours. If it
 *   is our own pid, it is ours only if it was taken after this process started (an earlier process
 *   with the same pid, e.g. pid 1 before a container restart, is dead); otherwise probe the pid.
 * - A console lock from another hostname (another console container, or this one recreated): its
 *   pid cannot be checked from here; it counts as alive, and an operator can clear it.
 * - A CLI lock (no hostname): the CLI runs on the host. Outside a container the pid is probed as
 *   the CLI does; inside one it cannot be, so it counts as alive (an operator can clear it).
 * Erring towards "alive" only ever blocks a deploy; erring the other way could run two at once.
 */
export function isLockHolderAlive(holder: DeploymentLock, self: LockSelf): boolean {
  if (holder.bootId !== undefined && holder.bootId !== self.bootId && self.bootId !== 'unknown') return false;
  if (holder.hostname !== undefined && holder.hostname !== self.hostname) return true;
  if (holder.hostname === undefined && self.inContainer) return true;
  if (holder.pid === self.pid) {
    const taken = Date.parse(holder.startedAt);
    return Number.isNaN(taken) || taken >= self.startedAtMs;
  }
  return self.probe(holder.pid);
}
