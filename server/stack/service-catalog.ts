import type { HealthCheckSpec, ServiceName } from './types';

// The production service catalog, value for value as the CLI's generated compose (docs/tale-cli.md#stateful-services, #colour-services):
// containers the console starts must be interchangeable with the ones `tale deploy` starts.

export const DEFAULT_REGISTRY = 'ghcr.io/tale-project/tale';
export const DEFAULT_HOST_ALIAS = 'tale.local';

/** Every named volume the CLI ensures (docs/tale-cli.md#names), without the `<id>_` prefix. */
export const VOLUME_NAMES = [
  'platform-data',
  'convex-data',
  'caddy-data',
  'caddy-config',
  'db-data',
  'db-backup',
  'rag-data',
  'crawler-data',
] as const;
export type VolumeName = (typeof VOLUME_NAMES)[number];

export const LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } as const;
export const EXTRA_HOST_GATEWAY = 'host.docker.internal:host-gateway';
/** Docker's default; compose sets no stop_grace_period except on db. */
export const DEFAULT_STOP_GRACE_SECONDS = 10;

interface CatalogEntry {
  mounts: Array<{ volume: VolumeName; target: string; readOnly: boolean }>;
  /** db's test is completed from .env at generation time (compose interpolation). */
  healthcheck: HealthCheckSpec;
  stopGracePeriodSeconds: number;
  shmSizeBytes: number | null;
  extraHosts: boolean;
  /** Container port → host port, all interfaces. */
  ports: Array<[number, number]>;
  /** Started after these are healthy (compose `depends_on: service_healthy`). */
  dependsOn: ServiceName[];
}

const check = (test: string[], interval: number, timeout: number, retries: number, start: number): HealthCheckSpec => ({
  test,
  intervalSeconds: interval,
  timeoutSeconds: timeout,
  retries,
  startPeriodSeconds: start,
});

export const CATALOG: Record<ServiceName, CatalogEntry> = {
  db: {
    mounts: [
      { volume: 'db-data', target: '/var/lib/postgresql/data', readOnly: false },
      { volume: 'db-backup', target: '/var/lib/postgresql/backup', readOnly: false },
    ],
    healthcheck: check(['CMD-SHELL', 'pg_isready -U ${POSTGRES_USER:-tale} -d ${POSTGRES_DB:-tale}'], 30, 10, 3, 60),
    stopGracePeriodSeconds: 60,
    shmSizeBytes: 256 * 1024 * 1024,
    extraHosts: false,
    ports: [],
    dependsOn: [],
  },
  proxy: {
    mounts: [
      { volume: 'caddy-data', target: '/data', readOnly: false },
      { volume: 'caddy-config', target: '/config', readOnly: false },
    ],
    healthcheck: check(['CMD', 'wget', '--no-verbose', '--tries=1', '--spider', 'http://127.0.0.1:2020/health'], 30, 10, 3, 10),
    stopGracePeriodSeconds: DEFAULT_STOP_GRACE_SECONDS,
    shmSizeBytes: null,
    extraHosts: true,
    ports: [
      [80, 80],
      [443, 443],
    ],
    dependsOn: [],
  },
  convex: {
    mounts: [
      { volume: 'convex-data', target: '/app/data', readOnly: false },
      { volume: 'caddy-data', target: '/caddy-data', readOnly: true },
    ],
    healthcheck: check(['CMD-SHELL', 'curl -sf http://localhost:3210/version && [ -f /tmp/convex-ready ]'], 5, 3, 3, 120),
    stopGracePeriodSeconds: DEFAULT_STOP_GRACE_SECONDS,
    shmSizeBytes: null,
    extraHosts: true,
    ports: [],
    dependsOn: ['db'],
  },
  platform: {
    mounts: [{ volume: 'convex-data', target: '/app/data', readOnly: true }],
    healthcheck: check(['CMD-SHELL', 'curl -sf http://localhost:3000/api/health && [ -f /tmp/platform-ready ]'], 5, 3, 3, 180),
    stopGracePeriodSeconds: DEFAULT_STOP_GRACE_SECONDS,
    shmSizeBytes: null,
    extraHosts: true,
    ports: [],
    dependsOn: ['rag', 'crawler'],
  },
  rag: {
    mounts: [
      { volume: 'rag-data', target: '/app/data', readOnly: false },
      { volume: 'convex-data', target: '/app/platform-config', readOnly: true },
    ],
    healthcheck: check(['CMD', 'curl', '-f', 'http://localhost:8001/health'], 5, 3, 2, 40),
    stopGracePeriodSeconds: DEFAULT_STOP_GRACE_SECONDS,
    shmSizeBytes: null,
    extraHosts: true,
    ports: [],
    dependsOn: [],
  },
  crawler: {
    mounts: [
      { volume: 'crawler-data', target: '/app/data', readOnly: false },
      { volume: 'convex-data', target: '/app/platform-config', readOnly: true },
    ],
    healthcheck: check(['CMD', 'curl', '-f', 'http://localhost:8002/health'], 5, 3, 2, 40),
    stopGracePeriodSeconds: DEFAULT_STOP_GRACE_SECONDS,
    shmSizeBytes: null,
    extraHosts: true,
    ports: [],
    dependsOn: [],
  },
};

/** Compose starts dependencies first: db before convex; rag and crawler before platform. */
export const STATEFUL_START_ORDER = ['db', 'proxy', 'convex'] as const;
export const ROTATABLE_START_ORDER = ['rag', 'crawler', 'platform'] as const;
/** The CLI waits for health in this order (docs/tale-cli.md#health-checks). */
export const STATEFUL_HEALTH_ORDER = ['db', 'proxy', 'convex'] as const;
export const ROTATABLE_HEALTH_ORDER = ['platform', 'rag', 'crawler'] as const;
