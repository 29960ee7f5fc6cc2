import 'server-only';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ActionResult } from '@/lib/action-result';
import type { EnvironmentDto, EnvironmentScanDto, ShellEnvironmentDto } from '@/lib/dto/environments';
import { CodedError } from '@/lib/errors';
import { LOCAL_ENVIRONMENT_ID, addEnvironmentInputSchema, addTcpEnvironmentInputSchema, removeEnvironmentInputSchema, scanEnvironmentInputSchema, type EnvironmentColour, type ScanEnvironmentInput } from '@/lib/schemas/environments';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { userInEnvironment } from '../auth/environment-role';
import { appendAudit } from '../db/audit-log';
import { deleteEnvironmentGrants } from '../db/environment-roles';
import { readKey, removeKey, writeKey, writeTlsMaterial } from '../environments/key-store';
import { deleteEnvironment, environmentRow, insertEnvironment, listEnvironmentRows, slugFor, type EnvironmentRow } from '../environments/store';
import { openSshEndpoint, parseSshUrl, scanHostKey, type SshTarget } from '../remote/ssh-endpoint';
import { probeTcpEndpoint, parseTcpUrl, type TcpTarget } from '../remote/tcp-endpoint';
import { formatTcpUrl } from '../remote/tcp-url';
import { TlsMaterialError, validateTlsMaterial } from '../remote/tls-material';
import type { Runtime } from '../runtime';
import { invalid } from './operation-start';

// Environments (docs/environments.md#environments): the implicit local one plus the SSH hosts an
// admin added. Adding is two steps so that nobody trusts a host key unseen: scan shows the key the
// host presents, add takes the fingerprint the admin confirmed, scans again and refuses a different
// one, then opens the endpoint and checks the deployment directory before anything is saved.

/** The transport's calls, injected so the unit tests can stand in a fake remote. */
export type RemoteConnector = { scanHostKey: typeof scanHostKey; openSshEndpoint: typeof openSshEndpoint };
export const sshRemote: RemoteConnector = { scanHostKey, openSshEndpoint };
/** The TCP transport's probe, injected likewise. */
export type TcpConnector = { probeTcpEndpoint: typeof probeTcpEndpoint };
export const tcpRemote: TcpConnector = { probeTcpEndpoint };

/** How long one step of contacting a host may take while an admin waits on the form. */
const CONTACT_TIMEOUT_MS = 10_000;

export { LOCAL_ENVIRONMENT_ID };

const REMOTE_CODES = new Set([
  'INVALID_ENDPOINT',
  'HOST_UNREACHABLE',
  'HOST_KEY_CHANGED',
  'AUTH_FAILED',
  'DIRECTORY_MISSING',
  'DIRECTORY_NOT_WRITABLE',
  'DOCKER_UNAVAILABLE',
  'CONNECTION_LOST',
  'INVALID_CERTIFICATE',
  'TLS_CERT_UNTRUSTED',
  'TLS_NAME_MISMATCH',
  'CLIENT_CERT_REFUSED',
]);

/** The transport's error, by its code (its class may come from another bundle's copy), or null. */
export function remoteErrorOf(err: unknown): { code: string; message: string } | null {
  if (!(err instanceof Error)) return null;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && REMOTE_CODES.has(code) ? { code, message: err.message } : null;
}

/** Words for each transport code, before the transport's own message (which names the host). */
const REMOTE_WORDS: Record<string, string> = {
  INVALID_ENDPOINT: 'The SSH endpoint is not valid.',
  HOST_UNREACHABLE: 'The host cannot be reached over SSH.',
  HOST_KEY_CHANGED: 'The host key changed since it was confirmed.',
  AUTH_FAILED: 'The host refused the user or the private key.',
  DIRECTORY_MISSING: 'The deployment directory does not exist on the host.',
  DIRECTORY_NOT_WRITABLE: 'The SSH user cannot write to the deployment directory.',
  DOCKER_UNAVAILABLE: "The host's Docker Engine cannot be reached over SSH.",
  CONNECTION_LOST: 'The SSH connection was lost.',
  INVALID_CERTIFICATE: 'A certificate or the key is not valid.',
  TLS_CERT_UNTRUSTED: "The host's certificate is not trusted.",
  TLS_NAME_MISMATCH: "The host's certificate is for another host.",
  CLIENT_CERT_REFUSED: 'The Docker Engine refused the client certificate.',
};

/** The same codes from the TCP transport: no SSH in them. */
const TCP_WORDS: Record<string, string> = {
  ...REMOTE_WORDS,
  INVALID_ENDPOINT: 'The TCP endpoint is not valid.',
  HOST_UNREACHABLE: "The host's Docker Engine cannot be reached over TCP.",
  DOCKER_UNAVAILABLE: 'No Docker Engine answered over TLS.',
  CONNECTION_LOST: 'The connection to the Docker Engine was lost.',
};

export function remoteWords(code: string, message: string, kind: 'ssh' | 'tcp' = 'ssh'): string {
  const words = (kind === 'tcp' ? TCP_WORDS : REMOTE_WORDS)[code];
  return words && words !== message ? `${words} ${message}` : message;
}

export const endpointOf = (t: SshTarget) => `ssh://${t.user}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;

export function localEnvironment(rt: Runtime): EnvironmentDto {
  return { id: LOCAL_ENVIRONMENT_ID, name: 'Local', colour: 'slate', kind: 'local', production: false, endpoint: null, deployDir: rt.env.deployDir, hostKey: null, createdAt: null, createdBy: null };
}

export function environmentDto(row: EnvironmentRow): EnvironmentDto {
  return {
    id: row.id,
    name: row.name,
    colour: row.colour as EnvironmentColour,
    kind: row.kind === 'tcp' ? 'tcp' : 'ssh',
    production: row.production,
    endpoint: row.kind === 'tcp' ? formatTcpUrl({ host: row.sshHost, port: row.sshPort }) : endpointOf({ user: row.sshUser, host: row.sshHost, port: row.sshPort }),
    deployDir: row.deployDir,
    hostKey: { algorithm: row.hostKeyAlgorithm, fingerprint: row.hostKeyFingerprint },
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

/** Every environment, the local one first. */
export function listEnvironments(rt: Runtime, caller: Caller): EnvironmentDto[] {
  requireRole(caller, 'viewer');
  return [localEnvironment(rt), ...listEnvironmentRows(rt.db).map(environmentDto)];
}

/**
 * Every environment as the shell shows it, with the caller's effective role in each: the layout
 * cannot read `?env=` (Next gives layouts no search), so the browser picks the current one's role
 * from this list (components/shell/role-badge.tsx), as it picks its name and colour.
 */
export function shellEnvironments(rt: Runtime, caller: Caller): ShellEnvironmentDto[] {
  const user = requireRole(caller, 'viewer');
  return listEnvironments(rt, caller).map(({ id, name, colour, kind, production }) => ({ id, name, colour, kind, production, role: userInEnvironment(rt.db, user, id).role }));
}

const failure = (code: string, message: string): ActionResult<never> => ({ ok: false, code, message });

/** A `/a/b/` and `/a/b` are one directory; the schema already refused `..`. */
const normalDir = (dir: string) => path.posix.normalize(dir).replace(/(.)\/+$/, '$1');

/** The name and the host+port+directory must be new; null when they are. */
function conflict(rt: Runtime, input: ScanEnvironmentInput, t: SshTarget): ActionResult<never> | null {
  const rows = listEnvironmentRows(rt.db);
  const name = input.name.toLowerCase();
  if (name === 'local' || rows.some((r) => r.name.toLowerCase() === name)) {
    return failure('ENVIRONMENT_NAME_TAKEN', `An environment named "${input.name}" exists already.`);
  }
  const dir = normalDir(input.deployDir);
  const same = rows.find((r) => r.kind !== 'tcp' && r.sshHost.toLowerCase() === t.host.toLowerCase() && r.sshPort === t.port && r.deployDir === dir);
  if (same) {
    return failure('ENVIRONMENT_DUPLICATE', `The environment "${same.name}" already uses ${t.host}:${t.port} ${dir}: two environments on one host and directory would deploy over each other.`);
  }
  return null;
}

/** parseSshUrl's refusal as a field error, so the form marks the endpoint. */
function target(endpoint: string): { ok: true; target: SshTarget } | { ok: false; result: ActionResult<never> } {
  try {
    return { ok: true, target: parseSshUrl(endpoint) };
  } catch (err) {
    const remote = remoteErrorOf(err);
    if (!remote) throw err;
    return { ok: false, result: { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: { endpoint: [remote.message] } } };
  }
}

function remoteFailure(err: unknown, kind: 'ssh' | 'tcp' = 'ssh'): ActionResult<never> {
  const remote = remoteErrorOf(err);
  if (remote) return failure(remote.code, remoteWords(remote.code, remote.message, kind));
  if (err instanceof CodedError) return failure(err.code, err.message);
  throw err;
}

/** Step 1: the form checked and the host's key read; nothing is saved or sent but the SSH greeting. */
export function scanEnvironment(rt: Runtime, caller: Caller, raw: unknown, remote: RemoteConnector = sshRemote): Promise<ActionResult<EnvironmentScanDto>> {
  return authorize(caller, 'admin', async () => {
    const parsed = scanEnvironmentInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const t = target(parsed.data.endpoint);
    if (!t.ok) return t.result;
    const taken = conflict(rt, parsed.data, t.target);
    if (taken) return taken;
    try {
      const hostKey = await remote.scanHostKey(t.target, { timeoutMs: CONTACT_TIMEOUT_MS });
      return { ok: true, data: { endpoint: endpointOf(t.target), hostKey } };
    } catch (err) {
      return remoteFailure(err);
    }
  });
}

/**
 * The row first: its unique indexes settle a race with another admin's add of the same name, id or
 * target before any file of that id is written; files that cannot be written take the row (and
 * whatever of them was written) back out. False when another add won the race.
 */
async function insertWithSecrets(rt: Runtime, row: EnvironmentRow, writeSecrets: () => Promise<void>): Promise<boolean> {
  try {
    insertEnvironment(rt.db, row);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
    return false;
  }
  try {
    await writeSecrets();
  } catch (err) {
    deleteEnvironment(rt.db, row.id);
    await removeKey(rt.env.dataDir, row.id).catch(() => {});
    throw err;
  }
  return true;
}

/** Step 2: with the confirmed fingerprint; saved only once the host answered as confirmed and the directory is writable. */
export function addEnvironment(rt: Runtime, caller: Caller, raw: unknown, remote: RemoteConnector = sshRemote, tcp: TcpConnector = tcpRemote): Promise<ActionResult<EnvironmentDto>> {
  if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'tcp') return addTcpEnvironment(rt, caller, raw, tcp);
  return authorize(caller, 'admin', async (actor) => {
    const parsed = addEnvironmentInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const input = parsed.data;
    const t = target(input.endpoint);
    if (!t.ok) return t.result;
    const endpoint = endpointOf(t.target);
    const audit = (outcome: 'success' | 'failure', message: string, params?: Record<string, unknown>) =>
      appendAudit(rt.db, { actor, action: 'environment.add', target: input.name, params: { endpoint, deployDir: normalDir(input.deployDir), ...params }, sourceIp: caller.sourceIp, outcome, message });
    const taken = conflict(rt, input, t.target);
    if (taken) {
      if (!taken.ok) audit('failure', taken.code);
      return taken;
    }
    try {
      const presented = await remote.scanHostKey(t.target, { timeoutMs: CONTACT_TIMEOUT_MS });
      if (presented.fingerprint !== input.hostKeyFingerprint) {
        audit('failure', 'HOST_KEY_CHANGED', { confirmed: input.hostKeyFingerprint, presented: presented.fingerprint });
        return failure('HOST_KEY_CHANGED', `The host now presents another key than the one confirmed: confirmed ${input.hostKeyFingerprint}, presented ${presented.fingerprint}. Nothing was saved; scan again and compare the fingerprint with the host's own.`);
      }
      const deployDir = normalDir(input.deployDir);
      const opened = await remote.openSshEndpoint(t.target, { privateKey: input.privateKey, hostKeyFingerprint: presented.fingerprint, deployDir, timeoutMs: CONTACT_TIMEOUT_MS });
      try {
        await opened.files.checkWritable();
      } finally {
        await opened.close().catch(() => {});
      }
      // Checked again: another admin may have added the same while this one waited on the host.
      const late = conflict(rt, input, t.target);
      if (late) return late;
      const id = slugFor(input.name, new Set(listEnvironmentRows(rt.db).map((r) => r.id)));
      const row: EnvironmentRow = {
        id,
        name: input.name,
        colour: input.colour,
        kind: 'ssh',
        sshUser: t.target.user,
        sshHost: t.target.host,
        sshPort: t.target.port,
        deployDir,
        production: input.production,
        hostKeyAlgorithm: presented.algorithm,
        hostKeyFingerprint: presented.fingerprint,
        createdAt: rt.clock.now(),
        createdBy: actor.email,
      };
      if (!(await insertWithSecrets(rt, row, () => writeKey(rt.env.dataDir, id, input.privateKey)))) {
        audit('failure', 'ENVIRONMENT_DUPLICATE');
        return failure('ENVIRONMENT_DUPLICATE', 'Another environment with this name or on this host and directory was added meanwhile.');
      }
      audit('success', 'added', { id, hostKeyFingerprint: presented.fingerprint });
      return { ok: true, data: environmentDto(row) };
    } catch (err) {
      const result = remoteFailure(err);
      if (!result.ok) audit('failure', result.code);
      return result;
    }
  });
}

/** The project directory the console keeps for a TCP environment (docs/environments.md#endpoints). */
export const tcpProjectDir = (dataDir: string, id: string) => path.resolve(dataDir, 'environments', id, 'project');

/** One engine, one environment: two on one engine would share its container names. Null when new. */
function tcpConflict(rt: Runtime, name: string, t: TcpTarget): ActionResult<never> | null {
  const rows = listEnvironmentRows(rt.db);
  const lower = name.toLowerCase();
  if (lower === 'local' || rows.some((r) => r.name.toLowerCase() === lower)) return failure('ENVIRONMENT_NAME_TAKEN', `An environment named "${name}" exists already.`);
  const same = rows.find((r) => r.kind === 'tcp' && r.sshHost === t.host && r.sshPort === t.port);
  if (same) return failure('ENVIRONMENT_DUPLICATE', `The environment "${same.name}" already uses ${formatTcpUrl(t)}: two environments on one engine would deploy over each other.`);
  return null;
}

/**
 * A Docker Engine over TCP with TLS client certificates, in one step: the PEMs are parsed and the
 * key matched to the certificate, then the engine is asked `docker version` with them (proving the
 * CA, the host name and the client certificate), and only then are the row, the 0600 material file
 * and the console-side project directory written. A failure saves nothing; no message, audit entry
 * or log carries a PEM.
 */
export function addTcpEnvironment(rt: Runtime, caller: Caller, raw: unknown, tcp: TcpConnector = tcpRemote): Promise<ActionResult<EnvironmentDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = addTcpEnvironmentInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const input = parsed.data;
    let t: TcpTarget;
    try {
      t = parseTcpUrl(input.endpoint);
    } catch (err) {
      const remote = remoteErrorOf(err);
      if (!remote) throw err;
      return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: { endpoint: [remote.message] } };
    }
    const endpoint = formatTcpUrl(t);
    const audit = (outcome: 'success' | 'failure', message: string, params?: Record<string, unknown>) =>
      appendAudit(rt.db, { actor, action: 'environment.add', target: input.name, params: { kind: 'tcp', endpoint, ...params }, sourceIp: caller.sourceIp, outcome, message });
    const material = { caCert: input.caCert, clientCert: input.clientCert, clientKey: input.clientKey };
    let summary;
    try {
      summary = validateTlsMaterial(material, rt.clock.now());
    } catch (err) {
      if (!(err instanceof TlsMaterialError)) throw err;
      audit('failure', 'INVALID_CERTIFICATE');
      return { ok: false, code: 'INVALID_CERTIFICATE', message: err.message, fieldErrors: { [err.field]: [err.message] } };
    }
    const taken = tcpConflict(rt, input.name, t);
    if (taken) {
      if (!taken.ok) audit('failure', taken.code);
      return taken;
    }
    try {
      const probe = await tcp.probeTcpEndpoint(t, material, { timeoutMs: CONTACT_TIMEOUT_MS });
      const late = tcpConflict(rt, input.name, t);
      if (late) return late;
      const id = slugFor(input.name, new Set(listEnvironmentRows(rt.db).map((r) => r.id)));
      const projectDir = tcpProjectDir(rt.env.dataDir, id);
      const row: EnvironmentRow = {
        id,
        name: input.name,
        colour: input.colour,
        kind: 'tcp',
        sshUser: '',
        sshHost: t.host,
        sshPort: t.port,
        deployDir: projectDir,
        production: input.production,
        hostKeyAlgorithm: 'x509-ca',
        hostKeyFingerprint: summary.caFingerprint,
        createdAt: rt.clock.now(),
        createdBy: actor.email,
      };
      const secrets = async () => {
        await writeTlsMaterial(rt.env.dataDir, id, material);
        await fs.mkdir(projectDir, { recursive: true, mode: 0o700 });
      };
      if (!(await insertWithSecrets(rt, row, secrets))) {
        audit('failure', 'ENVIRONMENT_DUPLICATE');
        return failure('ENVIRONMENT_DUPLICATE', 'Another environment with this name or on this engine was added meanwhile.');
      }
      audit('success', 'added', { id, deployDir: projectDir, caFingerprint: summary.caFingerprint, clientSubject: summary.clientSubject, engineVersion: probe.version });
      return { ok: true, data: environmentDto(row) };
    } catch (err) {
      const result = remoteFailure(err, 'tcp');
      if (!result.ok) audit('failure', result.code);
      return result;
    }
  });
}

/** Removes a remote environment and its key file; the typed name confirms it. Its host is not touched. */
export function removeEnvironment(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ id: string }>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = removeEnvironmentInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { id, confirmName } = parsed.data;
    if (id === LOCAL_ENVIRONMENT_ID) return failure('ENVIRONMENT_LOCAL', 'The local environment is the console\'s own and cannot be removed.');
    const row = environmentRow(rt.db, id);
    if (!row) return failure('ENVIRONMENT_NOT_FOUND', 'There is no such environment.');
    if (confirmName !== row.name) return failure('CONFIRMATION_MISMATCH', `Type the environment's name, ${row.name}, to remove it.`);
    deleteEnvironment(rt.db, id);
    // Its grants go too: an environment added later under the same id starts with none.
    deleteEnvironmentGrants(rt.db, id);
    await removeKey(rt.env.dataDir, id);
    appendAudit(rt.db, { actor, action: 'environment.remove', target: row.name, params: { id, endpoint: environmentDto(row).endpoint, deployDir: row.deployDir }, sourceIp: caller.sourceIp, outcome: 'success' });
    return { ok: true, data: { id } };
  });
}

/** What the fleet needs to open a remote environment: its target and its key (server-side only). */
export async function connectionOf(rt: Runtime, row: EnvironmentRow): Promise<{ target: SshTarget; privateKey: string | null }> {
  return { target: { user: row.sshUser, host: row.sshHost, port: row.sshPort }, privateKey: await readKey(rt.env.dataDir, row.id) };
}
