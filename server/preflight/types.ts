import type { PreflightCheckDto, PreflightCheckId, PreflightStatus } from '@/lib/dto/preflight';

// The preflight's view of the host (docs/preflight.md). Every figure a check needs comes through
// this port, so the decisions are pure functions a unit test can feed. A port method throws when a
// figure cannot be read (no permission, no answer): the runner reports that check as `unknown`.

export type { PreflightCheckDto, PreflightCheckId, PreflightStatus };

export type EngineFacts = {
  /** `docker version`'s server version, e.g. "24.0.7" or "20.10.24+dfsg1". */
  version: string;
  apiVersion: string;
  /** The engine's clock (docker info SystemTime), read when the answer arrived. */
  systemTime: Date;
  /** docker info DockerRootDir: where images and containers live. */
  dataRoot: string;
};

export type DiskFigures = { path: string; freeBytes: number; totalBytes: number; /** how it was read: statfs here, or a helper container */ via: 'statfs' | 'helper-container' };

/** Something listening on or publishing a TCP port of the host. */
export type PortHolder = { kind: 'container'; name: string } | { kind: 'process'; name: string | null; pid: number | null };

export type SocketFacts =
  | { kind: 'unix'; path: string; mode: number; uid: number; gid: number; access: 'ok' | 'denied' | 'missing' }
  | { kind: 'tcp'; host: string; port: number };

export interface PreflightPort {
  engine(): Promise<EngineFacts>;
  /** /proc/meminfo: MemTotal and MemAvailable. In the console's container it is the host's (cgroup limits aside). */
  hostMemory(): Promise<{ totalBytes: number; availableBytes: number }>;
  /** Memory in use by the live colour's platform, rag and crawler (what a second colour needs again); null when none runs. */
  colourMemory(projectId: string): Promise<number | null>;
  /** Sum of the sizes of the images the project's containers run; null when none runs. */
  releaseImageBytes(projectId: string): Promise<number | null>;
  /** Free space of the filesystem holding the Docker data root (the override's path in tests). */
  dataRootDisk(dataRoot: string): Promise<DiskFigures>;
  /** Free space of the filesystem holding this path (the deployment directory). */
  pathDisk(path: string): Promise<DiskFigures>;
  /** Who holds a host TCP port: the containers publishing it, then the processes listening on it. */
  portHolders(port: number): Promise<PortHolder[]>;
  socket(): Promise<SocketFacts>;
  /** The addresses a name resolves to; throws an error with a DNS `code` (ENOTFOUND, EAI_AGAIN, …). */
  lookup(host: string): Promise<string[]>;
  /** This machine's own addresses (interfaces). */
  localAddresses(): Promise<string[]>;
  now(): Date;
}

/** What the checks know about the project: from tale.json, .env and compose.override.yml. */
export type PreflightContext = {
  projectId: string | null;
  /** The proxy's container name, which may hold the HTTP and HTTPS ports. */
  proxyContainer: string | null;
  httpPort: number;
  httpsPort: number;
  tlsMode: string | null;
  host: string | null;
  /** The deployment directory, whose filesystem also needs room. */
  deployDir: string;
  /** PREFLIGHT_DATA_ROOT (tests only): counted instead of the Docker data root. */
  dataRootOverride?: string;
};

export type CheckResult = Omit<PreflightCheckDto, 'id' | 'title'>;

export type Check = {
  id: PreflightCheckId;
  title: string;
  /** Null when the check does not apply (Let's Encrypt's DNS under another TLS mode). */
  run(port: PreflightPort, ctx: PreflightContext): Promise<CheckResult | null>;
};

export const GB = 1024 ** 3;
export const MB = 1024 ** 2;

