// Runs the console container exactly as the repository's docker-compose.yml describes, without the
// compose CLI (Debian bookworm has no compose v2): the file is read, its ${VAR:-default}
// variables are filled in as compose does, and the `console` service becomes one Engine API
// create call with compose's names and labels. Only the keys the file uses are understood; any
// other key fails the test, so the file and this reader cannot drift apart silently.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const SERVICE_KEYS = new Set(['image', 'restart', 'pid', 'environment', 'ports', 'volumes', 'logging']);

interface ComposeService {
  image: string;
  restart?: string;
  pid?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  logging?: { driver: string; options?: Record<string, string> };
}

interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR-default}`. */
export function interpolate(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, def: string | undefined) => {
    const value = vars[name];
    if (op === ':-') return value ? value : (def ?? '');
    if (op === '-') return value ?? def ?? '';
    return value ?? '';
  });
}

export interface ConsoleService {
  project: string;
  service: ComposeService;
  composeDir: string;
}

/** Compose parses the YAML first and then interpolates every string value (never keys or YAML). */
function interpolateValues(value: unknown, vars: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateValues(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValues(v, vars)]));
  }
  return value;
}

export function readConsoleService(composeFile: string, vars: Readonly<Record<string, string | undefined>>): ConsoleService {
  const doc = interpolateValues(parse(readFileSync(composeFile, 'utf8')), vars) as ComposeFile;
  const service = doc.services.console;
  if (!service) throw new Error(`${composeFile}: no console service`);
  const unknown = Object.keys(service).filter((k) => !SERVICE_KEYS.has(k));
  if (unknown.length > 0) throw new Error(`${composeFile}: this reader does not know ${unknown.join(', ')}`);
  return { project: doc.name, service, composeDir: path.dirname(composeFile) };
}

export interface RunOverrides {
  /** Compose project name (a unique one per test, as `docker compose -p`). */
  project: string;
  /** Extra container environment (test-only, e.g. the port in host networking). */
  env?: Record<string, string>;
  /** `network_mode: host`, so the console reaches the loopback-only test registry. */
  hostNetwork?: boolean;
}

type Mount = { Type: 'bind' | 'volume'; Source: string; Target: string; ReadOnly: boolean };

const isBind = (source: string) => source.startsWith('/') || source.startsWith('.');

/** The named volumes compose creates (with its labels) before it creates the container. */
export function namedVolumes(svc: ConsoleService, o: Pick<RunOverrides, 'project'>): Array<{ Name: string; Labels: Record<string, string> }> {
  return (svc.service.volumes ?? [])
    .map((spec) => spec.split(':')[0] ?? '')
    .filter((source) => !isBind(source))
    .map((source) => ({ Name: `${o.project}_${source}`, Labels: { 'com.docker.compose.project': o.project, 'com.docker.compose.volume': source } }));
}

/** The part of an Engine API create body (POST /containers/create) compose fills for this service. */
export interface CreateBody {
  name: string;
  Image: string;
  Env: string[];
  Labels: Record<string, string>;
  HostConfig: {
    RestartPolicy: { Name: string };
    PidMode?: string;
    Mounts: Mount[];
    NetworkMode?: string;
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    LogConfig?: { Type: string; Config: Record<string, string> };
  };
}

/** The Engine API create body compose would send for the console service. */
export function consoleCreateBody(svc: ConsoleService, o: RunOverrides): CreateBody {
  const { service } = svc;
  const labels = { 'com.docker.compose.project': o.project, 'com.docker.compose.service': 'console' };
  const mounts = (service.volumes ?? []).map((spec): Mount => {
    const [source = '', target = '', mode] = spec.split(':');
    const ro = mode === 'ro';
    if (isBind(source)) return { Type: 'bind', Source: path.resolve(svc.composeDir, source), Target: target, ReadOnly: ro };
    return { Type: 'volume', Source: `${o.project}_${source}`, Target: target, ReadOnly: ro };
  });
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of service.ports ?? []) {
    const [hostIp = '', hostPort = '', containerPort = ''] = p.split(':');
    (portBindings[`${containerPort}/tcp`] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  const env = { ...service.environment, ...o.env };
  return {
    name: `${o.project}-console-1`,
    Image: service.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    HostConfig: {
      RestartPolicy: { Name: service.restart ?? 'no' },
      ...(service.pid ? { PidMode: service.pid } : {}),
      Mounts: mounts,
      // Host networking publishes nothing; the ports are compose's only in bridge mode.
      ...(o.hostNetwork ? { NetworkMode: 'host' } : { PortBindings: portBindings }),
      ...(service.logging ? { LogConfig: { Type: service.logging.driver, Config: { ...service.logging.options } } } : {}),
    },
  };
}
