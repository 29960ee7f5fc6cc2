import type Docker from 'dockerode';
import { DRILL_LABELS, type DrillSandbox } from '../backup/drill';
import { demuxLogs } from './docker-adapter';

// The restore drill's throwaway PostgreSQL (server/backup/drill.ts): a network created with
// `Internal: true` (no route out, nothing published), and a container of the stack's db image on
// it alone. Both carry the drill's labels, which is how removeLeftovers finds what a console
// killed mid-drill left behind: those of its own project only, since the Docker host may run
// another console's drill (another project's) at that very moment.

function isStatus(err: unknown, ...statuses: number[]): boolean {
  return statuses.includes((err as { statusCode?: number }).statusCode ?? 0);
}

const labelFilter = (project: string) => JSON.stringify({ label: [...Object.entries(DRILL_LABELS).map(([k, v]) => `${k}=${v}`), `project=${project}`] });

/**
 * `projectId`: the project whose drills are this console's (the drill labels each container and
 * network with it). Leftovers were once every drill's on the host: a console starting beside
 * another one removed that one's throwaway server mid-replay (two backup test files at once).
 */
export function createDrillSandbox(docker: Docker, projectId: () => Promise<string | null>): DrillSandbox {
  async function removeContainer(name: string): Promise<void> {
    try {
      // v: its data directory is an anonymous volume of the image; it goes with it.
      await docker.getContainer(name).remove({ force: true, v: true });
    } catch (err) {
      // 404: gone; 409: a removal already in progress (it finishes without us).
      if (!isStatus(err, 404, 409)) throw err;
    }
  }
  async function removeNetwork(name: string): Promise<void> {
    try {
      await docker.getNetwork(name).remove();
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
  return {
    async create(spec) {
      const labels = { ...spec.labels, ...DRILL_LABELS };
      await docker.createNetwork({ Name: spec.name, Driver: 'bridge', Internal: true, Labels: labels, CheckDuplicate: true });
      const container = await docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: labels,
        HostConfig: { NetworkMode: spec.name, PortBindings: {}, PublishAllPorts: false, AutoRemove: false, ShmSize: 256 * 1024 * 1024 },
      });
      await container.start();
    },
    async remove(name) {
      await removeContainer(name);
      await removeNetwork(name);
    },
    async exited(name, tail) {
      let info;
      try {
        info = await docker.getContainer(name).inspect();
      } catch (err) {
        if (isStatus(err, 404)) return { exitCode: null, oomKilled: false, error: null, logs: [], removed: true };
        throw err;
      }
      if (info.State.Running) return null;
      const raw = (await docker.getContainer(name).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      const logs = (await demuxLogs(docker.modem, raw)).map((l) => l.text);
      return { exitCode: info.State.ExitCode ?? null, oomKilled: info.State.OOMKilled === true, error: info.State.Error || null, logs };
    },
    async removeLeftovers() {
      // No project yet: this console has run no drill.
      const project = await projectId();
      if (!project) return { containers: [], networks: [] };
      const containers = await docker.listContainers({ all: true, filters: labelFilter(project) });
      for (const c of containers) await removeContainer(c.Id);
      const networks = await docker.listNetworks({ filters: labelFilter(project) });
      for (const n of networks) await removeNetwork(n.Id);
      return { containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')), networks: networks.map((n) => n.Name) };
    },
  };
}
