import type { ConnectTarget } from './connection';
import { PostgresError } from './postgres-error';

// Whether Tale's containers can reach the external server. The wizard's own connections run in
// the console's process, but the services and the copy run in containers on the stack's network
// (`<id>_internal`, docs/tale-cli.md#names): an address only the console reaches (127.0.0.1 on the
// host) passed every in-process check while Tale itself could not connect. So every step that takes
// an address first signs in from that network, through a short-lived container (server/docker/
// network-probe.ts), and a loopback address is refused before anything runs. See
// docs/architecture.md#the-external-database-wizard-and-where-it-checks-from.

export type HostKind = 'loopback' | 'unspecified' | 'other';

/** Loopback and "any" addresses mean "this machine" to whoever dials them: inside a container, the container. */
export function classifyHost(raw: string): HostKind {
  const host = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const first = Number(v4[1]);
    if (first === 127) return 'loopback';
    if (v4.slice(1).every((p) => Number(p) === 0)) return 'unspecified';
    return 'other';
  }
  if (host.includes(':')) {
    const groups = expandIpv6(host);
    if (!groups) return 'other';
    if (groups.every((g) => g === 0)) return 'unspecified';
    if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback';
  }
  return 'other';
}

/** Eight 16-bit groups of an IPv6 address in text form, or null when it is not one. */
function expandIpv6(host: string): number[] | null {
  const halves = host.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

/** Where the stack's containers are, for the messages: the host's address on the Docker bridge and the stack network's subnet. */
export interface StackNetwork {
  /** docker0's gateway: the host as containers see it (what `host.docker.internal` resolves to in Tale's services). */
  hostAddress: string | null;
  /** The subnet of `<id>_internal`, the source addresses the server sees from Tale's containers. */
  subnet: string | null;
}

/** What to enter instead of an address only the console reaches. */
export function enterInstead(net: StackNetwork): string {
  const where = net.hostAddress
    ? `the host's address on the Docker bridge, ${net.hostAddress} (PostgreSQL must listen on it, or a port must be published on it)`
    : "the host's address on the Docker bridge (the gateway of the docker0 network)";
  const hba = net.subnet ? ` and pg_hba.conf must allow ${net.subnet}` : '';
  return `Enter ${where}${hba}, or the server's own network address or name.`;
}

export function loopbackRefusal(host: string, net: StackNetwork): PostgresError {
  const kind = classifyHost(host);
  const what = kind === 'unspecified' ? `${host} names no particular server` : `${host} is a loopback address`;
  return new PostgresError(
    'DB_UNREACHABLE_FROM_STACK',
    `${what}: inside Tale's containers it means the container itself, so Tale could not reach a server there. ${enterInstead(net)}`,
  );
}

/** libpq's variables for one sign-in from the stack's network; the password only ever in the environment. */
export function probeEnv(target: ConnectTarget): Record<string, string> {
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGPASSWORD: target.password,
    PGDATABASE: target.database,
    // A private CA would have to be copied into the probe container: with verify-full the probe
    // checks reachability, sign-in and encryption (require), and the console's own connection
    // checks the certificate.
    PGSSLMODE: target.sslMode === 'verify-full' ? 'require' : target.sslMode,
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: 'tale-console-probe',
  };
}

/** psql, reading nothing but its argv: prints the server version on success. */
export const PROBE_ARGV = ['psql', '--no-psqlrc', '--tuples-only', '--no-align', "--command=SELECT current_setting('server_version')"] as const;

export interface ProbeRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** psql's first error line without its prefix; it names host, port, user and database, never the password. */
export function psqlReason(stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return line.replace(/^psql:\s*(error:\s*)?/, '').replace(/^FATAL:\s*/, '').slice(0, 300) || 'psql gave no reason';
}

/**
 * Reads a probe's result: the server version, or the coded error saying what Tale's containers
 * met. A refused sign-in is PG_AUTH_FAILED (often pg_hba.conf, which sees the stack's addresses).
 */
export function probeOutcome(target: ConnectTarget, run: ProbeRun, net: StackNetwork): { serverVersion: string } {
  if (run.exitCode === 0) return { serverVersion: run.stdout.trim() };
  const reason = psqlReason(run.stderr);
  const where = `${target.host}:${target.port}`;
  if (/password authentication failed|no pg_hba\.conf entry|authentication failed|role .* does not exist/i.test(reason)) {
    const hba = net.subnet ? ` (pg_hba.conf must allow ${net.subnet})` : '';
    return fail('PG_AUTH_FAILED', `Tale's containers reach ${where}, but the server refused the sign-in of ${target.user} from there${hba}: ${reason}`);
  }
  if (/database .* does not exist/i.test(reason)) return fail('PG_DATABASE_MISSING', `From Tale's containers: ${reason}`);
  return fail('DB_UNREACHABLE_FROM_STACK', `Tale's containers cannot reach ${where}: ${reason}. ${enterInstead(net)}`);
}

function fail(code: 'PG_AUTH_FAILED' | 'PG_DATABASE_MISSING' | 'DB_UNREACHABLE_FROM_STACK', message: string): never {
  throw new PostgresError(code, message);
}
