import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import dns from 'node:dns/promises';
import os from 'node:os';
import type { Env } from '../env';
import type { PreflightDocker } from '../docker/preflight-docker';
import type { DiskFigures, PortHolder, PreflightPort, SocketFacts } from './types';

// The preflight's adapter: the host's figures from /proc and statfs, the Docker Engine's through
// server/docker/preflight-docker.ts. In the console's container (docker-compose.yml: `pid: host`)
// /proc/meminfo is the host's, /proc/1/net/tcp lists the host's listening sockets, and the
// deployment directory is a bind mount, so statfs on it is the host filesystem's; the Docker data
// root is not mounted, so its free space comes from a helper container (docs/preflight.md).

/** /proc/meminfo's MemTotal and MemAvailable, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/meminfo has no ${key}`);
    return Number(m[1]) * 1024;
  };
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable') };
}

/** The socket inodes listening on a TCP port, from /proc/net/tcp or tcp6 (state 0A is LISTEN). */
export function listeningInodes(text: string, port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[1]!.endsWith(`:${hex}`) && f[3] === '0A')
    .map((f) => f[9]!);
}

/** The processes holding these socket inodes; only those the console may look into (its own user's, or all as root). */
async function socketOwners(inodes: Set<string>): Promise<PortHolder[]> {
  const found: PortHolder[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = await fs.readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      const link = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        const name = (await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() || null;
        found.push({ kind: 'process', name, pid: Number(pid) });
        break;
      }
    }
  }
  return found;
}

async function statfs(path: string): Promise<DiskFigures> {
  const s = await fs.statfs(path);
  return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, via: 'statfs' };
}

export function createPreflightPort(env: Env, docker: PreflightDocker, now: () => Date, projectId: () => Promise<string | null>): PreflightPort {
  // /.dockerenv marks a container, where a missing data root is read through a helper container.
  const inContainer = existsSync('/.dockerenv');
  return {
    engine: () => docker.engine(),
    hostMemory: async () => parseMeminfo(await fs.readFile('/proc/meminfo', 'utf8')),
    colourMemory: (id) => docker.colourMemory(id),
    releaseImageBytes: (id) => docker.releaseImageBytes(id),
    async dataRootDisk(dataRoot) {
      try {
        return await statfs(dataRoot);
      } catch (err) {
        // The console's own container does not hold the path (its image has no /var/lib/docker):
        // ask a helper container that mounts it. Where the path is visible (on the host, or in a
        // container that runs the engine itself) statfs is the answer.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !inContainer || env.preflightDataRoot) throw err;
      }
      return docker.helperDisk(dataRoot, await projectId());
    },
    pathDisk: statfs,
    async portHolders(port) {
      const containers = await docker.publishers(port);
      // A published port's listener is the engine's docker-proxy: the container names it better.
      if (containers.length > 0) return containers;
      // pid 1's network namespace is the host's when the console runs on it or with `pid: host`.
      const tables = await Promise.all(['tcp', 'tcp6'].map((t) => fs.readFile(`/proc/1/net/${t}`, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)))));
      const inodes = new Set(tables.flatMap((t) => listeningInodes(t, port)));
      if (inodes.size === 0) return [];
      const owners = await socketOwners(inodes);
      return [...(owners.length > 0 ? owners : [{ kind: 'process' as const, name: null, pid: null }])];
    },
    async socket(): Promise<SocketFacts> {
      if (!('socketPath' in env.docker)) return { kind: 'tcp', host: env.docker.host, port: env.docker.port };
      const path = env.docker.socketPath;
      const st = await fs.stat(path).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
      if (!st) return { kind: 'unix', path, mode: 0, uid: -1, gid: -1, access: 'missing' };
      const access = await fs.access(path, fs.constants.R_OK | fs.constants.W_OK).then(
        () => 'ok' as const,
        () => 'denied' as const,
      );
      return { kind: 'unix', path, mode: st.mode, uid: st.uid, gid: st.gid, access };
    },
    lookup: async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address),
    localAddresses: async () => Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)),
    now,
  };
}
