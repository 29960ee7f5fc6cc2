import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';

// When the console runs in its own container, a path it sees (DEPLOY_DIR=/deploy/agents) is not the
// path the Docker Engine sees on the host (/srv/tale/agents). A bind mount handed to the engine
// must name the host path, so the console finds its own container through the Engine API and
// maps its paths through that container's mounts. On the host, paths are used as they are.

export interface OwnMount {
  /** The host path (a bind's source, or a volume's directory under /var/lib/docker/volumes). */
  source: string;
  /** Where it is mounted inside the console's container. */
  destination: string;
}

export class HostPathError extends Error {
  readonly code = 'HOST_PATH_UNMAPPED';
}

export type HostPathTranslator = (consolePath: string) => string;

const identity: HostPathTranslator = (p) => p;

/** Maps console paths through the longest matching mount; `null` mounts = not in a container. */
export function hostPathTranslator(mounts: readonly OwnMount[] | null): HostPathTranslator {
  if (!mounts) return identity;
  const sorted = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
  return (consolePath) => {
    const p = path.posix.normalize(consolePath);
    if (!path.posix.isAbsolute(p)) throw new HostPathError(`Bind mount source must be an absolute path: ${consolePath}`);
    for (const m of sorted) {
      const rel = path.posix.relative(m.destination, p);
      if (rel === '') return m.source;
      if (!rel.startsWith('..') && !path.posix.isAbsolute(rel)) return path.posix.join(m.source, rel);
    }
    // Docker would create the path on the host, empty: a silently wrong mount.
    throw new HostPathError(`${consolePath} is not on a mount of the console's container, so the Docker Engine cannot see it`);
  };
}

const CONTAINER_ID = /[0-9a-f]{64}/;

/**
 * Ids to try for the console's own container, best first: the engine's per-container files in
 * mountinfo (/etc/hostname is bind-mounted from <data-root>/containers/<id>/), then the cgroup path
 * (cgroup v1, or v2 without a private namespace). Both name the engine's own paths, so finding
 * none means "not in a container of a Docker engine" (a sandbox's /.dockerenv proves nothing).
 */
export function ownContainerCandidates(input: { mountinfo: string; cgroup: string }): string[] {
  const ids: string[] = [];
  for (const line of input.mountinfo.split('\n')) {
    const m = /\/([0-9a-f]{64})\/(?:userdata\/)?(?:hostname|hosts|resolv\.conf)\s/.exec(line);
    if (m?.[1]) ids.push(m[1]);
  }
  for (const line of input.cgroup.split('\n')) {
    const m = CONTAINER_ID.exec(line);
    if (m) ids.push(m[0]);
  }
  return [...new Set(ids)];
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The console container's mounts, or null when it does not run in a container of this engine. */
export async function ownContainerMounts(docker: Pick<Docker, 'getContainer'>, root = '/'): Promise<OwnMount[] | null> {
  const candidates = ownContainerCandidates({
    mountinfo: readOrEmpty(path.join(root, 'proc/self/mountinfo')),
    cgroup: readOrEmpty(path.join(root, 'proc/self/cgroup')),
  });
  if (candidates.length === 0) return null;
  for (const id of candidates) {
    const info = await docker.getContainer(id).inspect().catch(() => null);
    if (info) return (info.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination }));
  }
  // A container of another engine (the console beside a Docker-in-Docker engine, or a CI sandbox):
  // this engine shares the console's filesystem, so its paths are the engine's paths.
  return null;
}
