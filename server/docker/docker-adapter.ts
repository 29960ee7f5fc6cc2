import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import type {
  ContainerDetails,
  ContainerSummary,
  DockerPort,
  HealthStatus,
  LogLine,
  PullProgress,
} from '@/server/engine/ports';
import type { ContainerSpec, NetworkSpec, VolumeSpec } from '@/server/stack/types';
import { hostPathTranslator, ownContainerMounts, type HostPathTranslator } from './host-paths';

// The engine's DockerPort over dockerode, written against Engine API 1.41 (Docker 20.10, what the
// test bed runs). Every call is an API request with structured arguments: no shell, no CLI.

const NS_PER_SECOND = 1_000_000_000;

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/** Runs `fn`, mapping the listed HTTP statuses to `fallback` (idempotent calls). */
async function tolerate<T>(codes: number[], fallback: T, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (codes.includes(statusCode(err) ?? -1)) return fallback;
    throw err;
  }
}

const REMOVE_ATTEMPTS = 20;

function isRemovalRace(err: unknown): boolean {
  const message = (err as Error).message ?? '';
  return (statusCode(err) === 500 && /is not running/.test(message)) || (statusCode(err) === 409 && /already in progress/.test(message));
}

const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';

/** Compose records the deployment directory as the host sees it, where the CLI finds it too. */
function withHostWorkingDir(labels: Record<string, string>, hostPath: HostPathTranslator): Record<string, string> {
  const dir = labels[WORKING_DIR_LABEL];
  return dir === undefined ? { ...labels } : { ...labels, [WORKING_DIR_LABEL]: hostPath(dir) };
}

/**
 * The Engine API create body for one of our specs. Exported so it can be checked without Docker.
 * `hostPath` maps the console's paths (bind sources, the compose working_dir label) to the host's
 * (host-paths.ts).
 */
export function createBody(spec: ContainerSpec, hostPath: HostPathTranslator = hostPathTranslator(null)): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of spec.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    // Port 0 asks Docker for any free port, as `-p 127.0.0.1::80` does.
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === 0 ? '' : String(p.hostPort) });
  }
  const hc = spec.healthcheck;
  return {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: withHostWorkingDir(spec.labels, hostPath),
    ExposedPorts: exposed,
    Healthcheck: {
      Test: hc.test,
      // The API takes nanoseconds; seconds here would be read as nanoseconds and rejected.
      Interval: hc.intervalSeconds * NS_PER_SECOND,
      Timeout: hc.timeoutSeconds * NS_PER_SECOND,
      StartPeriod: hc.startPeriodSeconds * NS_PER_SECOND,
      Retries: hc.retries,
    },
    StopTimeout: spec.stopGracePeriodSeconds,
    HostConfig: {
      RestartPolicy: { Name: spec.restartPolicy },
      LogConfig: { Type: spec.logging.driver, Config: { ...spec.logging.options } },
      ExtraHosts: [...spec.extraHosts],
      Mounts: [
        ...spec.mounts.map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.target, ReadOnly: m.readOnly })),
        ...(spec.binds ?? []).map((b) => ({ Type: 'bind' as const, Source: hostPath(b.source), Target: b.target, ReadOnly: b.readOnly })),
      ],
      PortBindings: bindings,
      NetworkMode: spec.network.network,
      ...(spec.shmSizeBytes !== null ? { ShmSize: spec.shmSizeBytes } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [spec.network.network]: { Aliases: [...spec.network.aliases] } },
    },
  };
}

/** `repo:tag@sha256:…` → pull arguments by digest, so the pull fetches exactly what was resolved. */
export function pullArguments(ref: string): { fromImage: string; tag: string } {
  const at = ref.indexOf('@');
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > slash;
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = digest ?? (hasTag ? named.slice(colon + 1) : 'latest');
  return { fromImage: repository, tag };
}

/**
 * `repo:tag@sha256:…` → `repo@sha256:…`, the name Docker's reference store keeps for a pull by
 * digest (an inspect by it answers only for that repository); null without a digest.
 */
export function digestReference(ref: string): string | null {
  const { fromImage, tag } = pullArguments(ref);
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : null;
}

/** `KEY=value` lines as Docker keeps them; a value may itself hold `=`. */
export function envMap(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function healthOf(state: Docker.ContainerInspectInfo['State']): HealthStatus {
  const status = state.Health?.Status;
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

/** Splits demultiplexed frames into lines per stream, keeping their order across streams. */
class LineCollector {
  readonly lines: LogLine[] = [];
  private partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };

  writable(stream: LogLine['stream']): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const text = this.partial[stream] + chunk.toString('utf8');
        const parts = text.split('\n');
        this.partial[stream] = parts.pop() ?? '';
        for (const line of parts) this.lines.push({ stream, text: line.replace(/\r$/, '') });
        done();
      },
    });
  }

  flush(): LogLine[] {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.lines.push({ stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
    return this.lines;
  }
}

export async function demuxLogs(modem: Docker['modem'], raw: Buffer | NodeJS.ReadableStream): Promise<LogLine[]> {
  const source = Buffer.isBuffer(raw) ? Readable.from([raw]) : raw;
  const collector = new LineCollector();
  const out = collector.writable('stdout');
  const err = collector.writable('stderr');
  await new Promise<void>((resolve, reject) => {
    source.on('end', resolve);
    source.on('error', reject);
    modem.demuxStream(source, out, err);
  });
  // Writable.write callbacks above run synchronously, so every frame is in by now.
  return collector.flush();
}

/** The same connection settings as `docker`, with its own idle timeout (0: none). */
function withIdleTimeout(docker: Docker, timeoutMs: number): Docker {
  // dockerode's typings lack its `modem` constructor option, hence the prototype derivation.
  const modem = Object.assign(Object.create(docker.modem) as Docker['modem'], { timeout: timeoutMs });
  return Object.assign(Object.create(docker) as Docker, { modem });
}

/**
 * Abandoning a request does not cancel what the daemon is doing: a create or remove cut off by a
 * short client timeout still happens, and the engine is left with an error about a step that
 * succeeded. On a busy host a plain remove has taken more than 10 s (CI, 2 cores under load), so
 * the engine waits this long before it calls the daemon hung.
 */
const ENGINE_CALL_IDLE_TIMEOUT_MS = 120_000;

export function createDockerPort(shared: Docker): DockerPort {
  const docker = withIdleTimeout(shared, ENGINE_CALL_IDLE_TIMEOUT_MS);
  // A graceful stop keeps its request open for the whole grace period and a pull can sit quiet
  // while a layer extracts: no idle timeout at all for exactly those calls.
  const patient = withIdleTimeout(shared, 0);

  // Asked once: the console's own container (or its absence) does not change while it runs.
  let translator: Promise<HostPathTranslator> | null = null;
  const hostPaths = (): Promise<HostPathTranslator> => {
    if (!translator) {
      translator = ownContainerMounts(docker).then(hostPathTranslator);
      translator.catch(() => (translator = null)); // a failed lookup is retried by the next create
    }
    return translator;
  };

  const inspectContainer = async (nameOrId: string): Promise<ContainerDetails | null> => {
    const info = await tolerate([404], null, () => docker.getContainer(nameOrId).inspect());
    if (!info) return null;
    const image = info.Config.Image;
    let digest: string | null = image.includes('@') ? (image.split('@')[1] ?? null) : null;
    if (!digest) {
      const img = await tolerate([404], null, () => docker.getImage(info.Image).inspect());
      digest = img?.RepoDigests?.[0]?.split('@')[1] ?? null;
    }
    const started = info.State.StartedAt;
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image,
      digest,
      labels: { ...(info.Config.Labels ?? {}) },
      state: info.State.Status,
      running: info.State.Running,
      restarting: info.State.Restarting,
      health: healthOf(info.State),
      exitCode: info.State.Running ? null : info.State.ExitCode,
      restartCount: info.RestartCount,
      startedAt: started && !started.startsWith('0001-') ? started : null,
      networks: Object.fromEntries(
        Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, ep]) => [name, { aliases: [...(ep.Aliases ?? [])] }]),
      ),
      env: envMap(info.Config.Env ?? []),
    };
  };

  return {
    async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
      const list = await docker.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
      });
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        labels: { ...c.Labels },
        state: c.State,
      }));
    },

    inspectContainer,

    async createContainer(spec: ContainerSpec): Promise<string> {
      const container = await docker.createContainer(createBody(spec, await hostPaths()));
      return container.id;
    },

    async startContainer(nameOrId: string): Promise<void> {
      // 304: already running.
      await tolerate([304], undefined, () => docker.getContainer(nameOrId).start());
    },

    async stopContainer(nameOrId: string, timeoutSeconds: number): Promise<void> {
      // 304: already stopped; 404: already gone. Both mean "not running", which is what was asked.
      await tolerate([304, 404], undefined, () => patient.getContainer(nameOrId).stop({ t: timeoutSeconds }));
    },

    async renameContainer(nameOrId: string, newName: string): Promise<void> {
      await docker.getContainer(nameOrId).rename({ name: newName });
    },

    async removeContainer(nameOrId: string): Promise<void> {
      // A container that exits while it is force-removed makes Docker 20.10 answer 500 ("Could not
      // kill running container … is not running") and leaves it half-removed; a second call then
      // gets 409 ("removal … already in progress"). Asked again until it is gone (404).
      for (let attempt = 1; ; attempt++) {
        try {
          await tolerate([404], undefined, () => docker.getContainer(nameOrId).remove({ force: true, v: false }));
          return;
        } catch (err) {
          if (attempt >= REMOVE_ATTEMPTS || !isRemovalRace(err)) throw err;
          await sleep(500);
        }
      }
    },

    async pullImage(ref: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
      const stream = (await patient.createImage({ ...pullArguments(ref), ...(signal ? { abortSignal: signal } : {}) })) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        let failure: Error | null = null;
        patient.modem.followProgress(
          stream,
          (err: Error | null) => (err ?? failure ? reject(err ?? failure) : resolve()),
          (event: { status?: string; id?: string; error?: string; progressDetail?: { current?: number; total?: number } }) => {
            // The daemon reports a failed pull inside a 200 stream, not as an HTTP error.
            if (event.error) failure = new Error(event.error);
            onProgress({
              image: ref,
              ...(event.id ? { layer: event.id } : {}),
              status: event.error ?? event.status ?? '',
              ...(event.progressDetail?.current !== undefined ? { current: event.progressDetail.current } : {}),
              ...(event.progressDetail?.total !== undefined ? { total: event.progressDetail.total } : {}),
            });
          },
        );
      });
    },

    async imagePresent(ref: string): Promise<boolean> {
      const pinned = digestReference(ref);
      if (!pinned) return false;
      return tolerate([404], false, async () => (await docker.getImage(pinned).inspect(), true));
    },

    async ensureNetwork(spec: NetworkSpec): Promise<void> {
      const existing = await tolerate([404], null, () => docker.getNetwork(spec.name).inspect());
      if (existing) return;
      // 409: created concurrently by someone else (the CLI, another console run); fine.
      await tolerate([409], undefined, async () => {
        await docker.createNetwork({ Name: spec.name, Driver: spec.driver, Labels: { ...spec.labels }, CheckDuplicate: true });
      });
    },

    async ensureVolumes(specs: VolumeSpec[]): Promise<void> {
      for (const v of specs) {
        const existing = await tolerate([404], null, () => docker.getVolume(v.name).inspect());
        if (!existing) await docker.createVolume({ Name: v.name, Labels: { ...v.labels } });
      }
    },

    async volumeExists(name: string): Promise<boolean> {
      return tolerate([404], false, async () => (await docker.getVolume(name).inspect(), true));
    },

    async removeVolumes(names: string[]): Promise<void> {
      for (const name of names) await tolerate([404], undefined, () => docker.getVolume(name).remove());
    },

    async removeNetwork(name: string): Promise<void> {
      await tolerate([404], undefined, () => docker.getNetwork(name).remove());
    },

    async connectNetwork(network: string, nameOrId: string, aliases: string[]): Promise<void> {
      await docker.getNetwork(network).connect({ Container: nameOrId, EndpointConfig: { Aliases: [...aliases] } });
    },

    async disconnectNetwork(network: string, nameOrId: string): Promise<void> {
      await docker.getNetwork(network).disconnect({ Container: nameOrId, Force: false });
    },

    async containerLogs(nameOrId: string, tail: number): Promise<LogLine[]> {
      const raw = (await docker.getContainer(nameOrId).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demuxLogs(docker.modem, raw);
    },
  };
}
