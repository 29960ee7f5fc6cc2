// Our own description of the Tale stack's containers. A dockerode adapter maps these to the Engine
// API; nothing here knows about Docker's wire types.

export type Color = 'blue' | 'green';
export type StatefulService = 'db' | 'proxy' | 'convex';
export type RotatableService = 'platform' | 'rag' | 'crawler';
export type ServiceName = StatefulService | RotatableService;

export const STATEFUL_SERVICES: readonly StatefulService[] = ['db', 'proxy', 'convex'];
export const ROTATABLE_SERVICES: readonly RotatableService[] = ['platform', 'rag', 'crawler'];
export const ALL_SERVICES: readonly ServiceName[] = [...STATEFUL_SERVICES, ...ROTATABLE_SERVICES];

export interface HealthCheckSpec {
  /** Docker form: ['CMD', …] or ['CMD-SHELL', '<command>']. */
  test: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

export interface VolumeMountSpec {
  /** Full Docker volume name, `<id>_<name>`. */
  volume: string;
  target: string;
  readOnly: boolean;
}

/**
 * A directory of the deployment bind-mounted into a container. `source` is the path as the console
 * sees it; the Docker adapter translates it to the host's path when the console runs in a container.
 */
export interface BindMountSpec {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface PortSpec {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp';
  /** Empty = all interfaces, as compose's `80:80`. */
  hostIp: string;
}

export interface NetworkAttachmentSpec {
  network: string;
  aliases: string[];
}

export interface DependencySpec {
  service: ServiceName;
  condition: 'service_healthy';
}

export interface ContainerSpec {
  service: ServiceName;
  /** Compose service key: `db` or `platform-blue`. */
  composeService: string;
  composeProject: string;
  role: 'stateful' | 'rotatable';
  color: Color | null;
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  network: NetworkAttachmentSpec;
  mounts: VolumeMountSpec[];
  /** Bind mounts of deployment directories (the CLI's ./agents, ./workflows …); none yet. */
  binds?: BindMountSpec[];
  ports: PortSpec[];
  healthcheck: HealthCheckSpec;
  restartPolicy: 'unless-stopped';
  logging: { driver: 'json-file'; options: Record<string, string> };
  extraHosts: string[];
  stopGracePeriodSeconds: number;
  shmSizeBytes: number | null;
  dependsOn: DependencySpec[];
}

export interface VolumeSpec {
  name: string;
  labels: Record<string, string>;
}

export interface NetworkSpec {
  name: string;
  driver: 'bridge';
  labels: Record<string, string>;
}

/** What `compose.override.yml` may change, already validated. */
export interface ServiceOverride {
  image?: string;
  disabled?: boolean;
  environment?: Record<string, string>;
  /** Proxy only: replaces the published ports (compose's `ports: !override [...]`). */
  ports?: PortSpec[];
}
export type StackOverride = Partial<Record<ServiceName, ServiceOverride>>;

/** Either one version for all images, or the digests a registry check resolved for it. */
export interface ImageSelection {
  version: string;
  /** `sha256:…` per service; pins the pull to exactly what was checked. */
  digests?: Partial<Record<ServiceName, string>>;
}
