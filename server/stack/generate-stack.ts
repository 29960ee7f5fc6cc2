import { isVersionTag } from '@/lib/version-tag';
import {
  CATALOG,
  DEFAULT_HOST_ALIAS,
  DEFAULT_REGISTRY,
  EXTRA_HOST_GATEWAY,
  LOGGING,
  ROTATABLE_START_ORDER,
  STATEFUL_START_ORDER,
  VOLUME_NAMES,
} from './service-catalog';
import { CONFIG_HASH_LABEL, proxyConfigHash } from './proxy-config';
import { StackError } from './stack-error';
import {
  candidateAliases,
  colorProject,
  composeServiceKey,
  containerName,
  liveAliases,
  networkName,
  statefulProject,
  volumeName,
} from './stack-names';
import type {
  Color,
  ContainerSpec,
  ImageSelection,
  NetworkSpec,
  RotatableService,
  ServiceName,
  StackOverride,
  StatefulService,
  VolumeSpec,
} from './types';

export interface StackInput {
  projectId: string;
  /** Absolute deployment directory; compose records it as the project's working_dir. */
  deploymentDir: string;
  /** The parsed .env; every container receives all of it (docs/tale-cli.md#invariants, number 9). */
  env: Record<string, string>;
  images: ImageSelection;
  override?: StackOverride;
  /** Use an external PostgreSQL (also implied by `db: {profiles: [disabled]}` in the override). */
  externalDatabase?: boolean;
  /** The proxy's extra network alias; defaults to HOST, then tale.local (the CLI's `--host`). */
  hostAlias?: string;
  /** Re-seed convex on this start (the CLI's `--fresh`). */
  fresh?: boolean;
}

const PROJECT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SQL_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

function invalid(message: string): StackError {
  return new StackError('STACK_INVALID_INPUT', message);
}

function checkInput(input: StackInput): void {
  if (!PROJECT_ID.test(input.projectId)) throw invalid('Project id must match [a-z0-9][a-z0-9-]* and be at most 40 chars');
  if (!isVersionTag(input.images.version)) throw invalid('Image version must be a version tag such as 1.2.3');
  for (const [svc, digest] of Object.entries(input.images.digests ?? {})) {
    if (digest !== undefined && !DIGEST.test(digest)) throw invalid(`Digest for ${svc} must be sha256:<64 hex>`);
  }
  if (!input.deploymentDir.startsWith('/')) throw invalid('Deployment directory must be an absolute path');
}

export function isExternalDatabase(input: Pick<StackInput, 'externalDatabase' | 'override'>): boolean {
  return Boolean(input.externalDatabase || input.override?.db?.disabled);
}

export function registryOf(env: Record<string, string>): string {
  const value = env.GHCR_REGISTRY?.trim();
  return value ? value.replace(/\/+$/, '') : DEFAULT_REGISTRY;
}

export function imageRef(input: StackInput, service: ServiceName): string {
  const pinned = input.override?.[service]?.image;
  if (pinned) return pinned;
  const base = `${registryOf(input.env)}/tale-${service}:${input.images.version}`;
  const digest = input.images.digests?.[service];
  // tag@digest: the version stays readable in `docker ps` while the pull is pinned to what was checked.
  return digest ? `${base}@${digest}` : base;
}

function urlHost(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/**
 * The env every container gets. In external-database mode the three database URLs are made
 * consistent (docs/tale-cli.md#wiring-an-external-database): rag and crawler never derive theirs from POSTGRES_URL themselves.
 */
export function stackEnv(input: StackInput): Record<string, string> {
  const env = { ...input.env };
  if (!isExternalDatabase(input)) return env;
  const base = env.POSTGRES_URL?.trim().replace(/\/+$/, '');
  if (!base) {
    throw new StackError('EXTERNAL_DB_URL_MISSING', 'An external database needs POSTGRES_URL (postgresql://user:password@host:port) in .env');
  }
  env.POSTGRES_URL = base;
  env.RAG_DATABASE_URL = env.RAG_DATABASE_URL?.trim() || `${base}/tale_knowledge`;
  env.CRAWLER_DATABASE_URL = env.CRAWLER_DATABASE_URL?.trim() || `${base}/tale_knowledge`;
  for (const key of ['POSTGRES_URL', 'RAG_DATABASE_URL', 'CRAWLER_DATABASE_URL'] as const) {
    // Never echo the URL: it carries the password.
    if (urlHost(env[key] as string) === 'db') {
      throw new StackError('EXTERNAL_DB_URL_POINTS_TO_BUNDLED_DB', `${key} points to the bundled db, which is disabled`);
    }
  }
  return env;
}

function hostAliasOf(input: StackInput): string {
  const alias = ((input.hostAlias ?? input.env.HOST ?? '').trim() || DEFAULT_HOST_ALIAS).toLowerCase();
  if (!HOSTNAME.test(alias)) throw invalid('The proxy host alias must be a bare hostname');
  return alias;
}

// compose interpolates `${POSTGRES_USER:-tale}` from .env; the result runs in a shell, so only
// identifiers are accepted.
function dbHealthTest(env: Record<string, string>): string[] {
  const user = env.POSTGRES_USER || 'tale';
  const db = env.POSTGRES_DB || 'tale';
  if (!SQL_IDENT.test(user) || !SQL_IDENT.test(db)) throw invalid('POSTGRES_USER and POSTGRES_DB must be SQL identifiers');
  return ['CMD-SHELL', `pg_isready -U ${user} -d ${db}`];
}

function composeLabels(input: StackInput, project: string, service: ServiceName, color: Color | null): Record<string, string> {
  return {
    // What compose itself sets, so the CLI's `docker compose -p …` adopts these containers.
    'com.docker.compose.project': project,
    'com.docker.compose.service': composeServiceKey(service, color),
    'com.docker.compose.project.working_dir': input.deploymentDir,
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.container-number': '1',
    // Ours: lets the console find its containers and their version without the state file.
    'io.tale.console.managed': 'true',
    'io.tale.console.version': input.images.version,
    ...(color ? { 'io.tale.console.color': color } : {}),
  };
}

function baseSpec(input: StackInput, env: Record<string, string>, service: ServiceName, color: Color | null): ContainerSpec {
  const entry = CATALOG[service];
  const project = color ? colorProject(input.projectId, color) : statefulProject(input.projectId);
  const external = isExternalDatabase(input);
  const serviceEnv = { ...env, ...(input.override?.[service]?.environment ?? {}) };
  return {
    service,
    composeService: composeServiceKey(service, color),
    composeProject: project,
    role: color ? 'rotatable' : 'stateful',
    color,
    name: containerName(input.projectId, service, color),
    image: imageRef(input, service),
    env: serviceEnv,
    labels: composeLabels(input, project, service, color),
    network: { network: networkName(input.projectId), aliases: [] },
    mounts: entry.mounts.map((m) => ({ volume: volumeName(input.projectId, m.volume), target: m.target, readOnly: m.readOnly })),
    ports:
      input.override?.[service]?.ports?.map((p) => ({ ...p })) ??
      entry.ports.map(([host, container]) => ({ hostPort: host, containerPort: container, protocol: 'tcp', hostIp: '' })),
    healthcheck: service === 'db' ? { ...entry.healthcheck, test: dbHealthTest(serviceEnv) } : entry.healthcheck,
    restartPolicy: 'unless-stopped',
    logging: { driver: LOGGING.driver, options: { ...LOGGING.options } },
    extraHosts: entry.extraHosts ? [EXTRA_HOST_GATEWAY] : [],
    stopGracePeriodSeconds: entry.stopGracePeriodSeconds,
    shmSizeBytes: entry.shmSizeBytes,
    dependsOn: entry.dependsOn
      .filter((dep) => !(external && dep === 'db'))
      .map((dep) => ({ service: dep, condition: 'service_healthy' as const })),
  };
}

/** db, proxy, convex in start order; no db with an external database. */
export function statefulSpecs(input: StackInput): ContainerSpec[] {
  checkInput(input);
  const env = stackEnv(input);
  const external = isExternalDatabase(input);
  const services: StatefulService[] = STATEFUL_START_ORDER.filter((s) => !(external && s === 'db'));
  return services.map((service) => {
    const spec = baseSpec(input, env, service, null);
    // Compose gives every container its service name as a DNS name; proxy also answers to the host.
    const aliases = service === 'proxy' ? ['proxy', hostAliasOf(input)] : [service];
    if (service === 'convex' && input.fresh) spec.env = { ...spec.env, FORCE_SEED: 'true' };
    const full = { ...spec, network: { ...spec.network, aliases } };
    if (service !== 'proxy') return full;
    // Written at create, so the next deploy can tell whether the running proxy is still what it would create.
    return { ...full, labels: { ...full.labels, [CONFIG_HASH_LABEL]: proxyConfigHash(full, input.override) } };
  });
}

export type AliasSet = 'candidate' | 'live';

/**
 * platform, rag and crawler of one colour, in start order (rag and crawler before platform).
 * `aliases: 'candidate'` (default) starts them unreachable under the shared names.
 */
export function colorSpecs(input: StackInput, color: Color, aliases: AliasSet = 'candidate'): ContainerSpec[] {
  checkInput(input);
  const env = stackEnv(input);
  return ROTATABLE_START_ORDER.map((service: RotatableService) => {
    const spec = baseSpec(input, env, service, color);
    const names = aliases === 'live' ? liveAliases(service, color) : candidateAliases(service, color);
    return { ...spec, network: { ...spec.network, aliases: names } };
  });
}

export function volumeSpecs(projectId: string): VolumeSpec[] {
  return VOLUME_NAMES.map((v) => ({ name: volumeName(projectId, v), labels: { project: projectId } }));
}

export function networkSpec(projectId: string): NetworkSpec {
  return { name: networkName(projectId), driver: 'bridge', labels: { project: projectId } };
}
