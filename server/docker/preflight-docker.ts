import type Docker from 'dockerode';
import type { DiskFigures, EngineFacts, PortHolder } from '../preflight/types';
import type { ContainerStatsPort } from './container-stats';
import type { NetworkProbe } from './network-probe';

// What the preflight (server/preflight) reads from the Docker Engine: its version, clock and data
// root, the memory the live colour uses, the sizes of the images the stack runs, which containers
// publish a host port, and, when the console runs in a container that cannot see the data root,
// its free space through a short-lived helper container.

const COLOUR_SERVICES = ['platform', 'rag', 'crawler'];

export interface PreflightDocker {
  engine(): Promise<EngineFacts>;
  colourMemory(projectId: string): Promise<number | null>;
  releaseImageBytes(projectId: string): Promise<number | null>;
  publishers(port: number): Promise<PortHolder[]>;
  /** `df` of the data root in a helper container of one of the stack's own images (never pulled). */
  helperDisk(dataRoot: string, projectId: string | null): Promise<DiskFigures>;
}

/** The last line of `df -Pk`: total and available 1024-byte blocks. */
export function parseDf(stdout: string): { totalBytes: number; freeBytes: number } | null {
  const line = stdout.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
  const total = Number(line[1]);
  const free = Number(line[3]);
  return Number.isFinite(total) && Number.isFinite(free) && line.length >= 4 ? { totalBytes: total * 1024, freeBytes: free * 1024 } : null;
}

export function createPreflightDocker(docker: Docker, stats: ContainerStatsPort, probe: NetworkProbe): PreflightDocker {
  const running = (project: string) => docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`], status: ['running'] } });
  return {
    async engine() {
      const [v, info] = await Promise.all([docker.version(), docker.info() as Promise<{ SystemTime?: string; DockerRootDir?: string }>]);
      return { version: v.Version, apiVersion: v.ApiVersion, systemTime: new Date(info.SystemTime ?? NaN), dataRoot: info.DockerRootDir ?? '/var/lib/docker' };
    },
    async colourMemory(projectId) {
      let most: number | null = null;
      for (const colour of ['blue', 'green']) {
        const list = (await running(`${projectId}-${colour}`)).filter((c) => COLOUR_SERVICES.some((s) => c.Labels['com.docker.compose.service']?.startsWith(s)));
        if (list.length === 0) continue;
        const used = await Promise.all(list.map(async (c) => (await stats.stats(c.Id))?.memoryBytes ?? 0));
        most = Math.max(most ?? 0, used.reduce((a, b) => a + b, 0));
      }
      return most;
    },
    async releaseImageBytes(projectId) {
      const lists = await Promise.all([projectId, `${projectId}-blue`, `${projectId}-green`].map(running));
      const images = [...new Set(lists.flat().map((c) => c.ImageID))];
      if (images.length === 0) return null;
      const sizes = await Promise.all(images.map(async (id) => ((await docker.getImage(id).inspect()) as { Size?: number }).Size ?? 0));
      return sizes.reduce((a, b) => a + b, 0);
    },
    async publishers(port) {
      const list = await docker.listContainers({ filters: { status: ['running'] } });
      return list
        .filter((c) => (c.Ports ?? []).some((p) => p.PublicPort === port && p.Type === 'tcp'))
        .map((c) => ({ kind: 'container' as const, name: (c.Names[0] ?? c.Id).replace(/^\//, '') }));
    },
    async helperDisk(dataRoot, projectId) {
      // Any image the stack already runs will do (each has df); nothing is pulled.
      const mine = projectId ? (await Promise.all([projectId, `${projectId}-blue`, `${projectId}-green`].map(running))).flat() : [];
      const image = mine[0]?.ImageID;
      if (!image) throw new Error(`the console runs in a container and cannot see ${dataRoot}; with no stack image on the host to run df in, the free space is not known`);
      const out = await probe.run({
        name: 'tale-preflight-df',
        image,
        network: 'bridge',
        argv: ['df', '-Pk', '/data-root'],
        env: {},
        labels: { 'io.tale.console.preflight': 'true' },
        timeoutMs: 10_000,
        binds: [`${dataRoot}:/data-root:ro`],
      });
      const figures = out.exitCode === 0 ? parseDf(out.stdout) : null;
      if (!figures) throw new Error(`df in a helper container did not answer (${out.stderr.trim().slice(0, 200) || `exit ${out.exitCode}`})`);
      return { path: dataRoot, ...figures, via: 'helper-container' };
    },
  };
}
