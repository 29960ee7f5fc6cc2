import 'server-only';
import type {
  ChecksDto,
  ConfigureResultDto,
  ConnectionDto,
  DatabaseModeDto,
  PrepareResultDto,
  PrepareStepDto,
  VerifyResultDto,
} from '@/lib/dto/external-database';
import { CodedError } from '@/lib/errors';
import { lineDiff } from '@/lib/line-diff';
import { redactOverride } from '@/lib/settings/env-diff';
import type { AdminConnectionInput, ConnectionInput } from '@/lib/schemas/external-database';
import { parseConnectionUrl, serverInfo, withClient, type ConnectTarget, type ServerInfo } from '../postgres/connection';
import { runChecks } from '../postgres/checks';
import { describePrepare, runPrepare } from '../postgres/prepare';
import { generatePassword, scramVerifier } from '../postgres/scram';
import { maskUrl, SERVICE_URL_KEYS, serviceUrls, serviceUrlWarnings, type ServiceUrls } from '../postgres/service-urls';
import { verifyServiceUrls } from '../postgres/verify';
import { applyOverrideEdit, planBundledDb } from '../project/bundled-db-override';
import { readComposeOverride } from '../project/compose-override';
import { readEnvFile, renderEnvEdits, updateEnvFile } from '../project/env-file';
import { projectIdOf, readTaleJson } from '../project/tale-json';
import type { DockerPort } from '../engine/ports';
import type { NetworkProbe } from '../docker/network-probe';
import { PostgresError } from '../postgres/postgres-error';
import { classifyHost, loopbackRefusal, probeEnv, probeOutcome, PROBE_ARGV, type StackNetwork } from '../postgres/stack-reach';
import { VERIFY_DATABASES } from '../postgres/verify';
import { containerName, networkName } from '../stack/stack-names';
import { networkSpec, registryOf } from '../stack/generate-stack';
import type { ProjectDir } from '../project/file-ops';

// The wizard's steps on a deployment directory, without sessions or audit (external-database.ts
// adds those), so integration tests drive exactly what the console runs. Inputs are already parsed.

type AdminConnection = ConnectionInput | { kind: 'url'; url: string; caCert?: string };

export function connectTarget(input: AdminConnection | AdminConnectionInput): ConnectTarget {
  if (input.kind === 'url') return { ...parseConnectionUrl(input.url), caCert: input.caCert };
  const c = input as ConnectionInput;
  return { host: c.host, port: Number(c.port), user: c.user, password: c.password, database: c.database ?? 'postgres', sslMode: c.sslMode, caCert: c.caCert };
}

/** What a sign-in from the stack's network needs: Docker and the deployment directory. */
export interface StackAccess {
  docker: Pick<DockerPort, 'ensureNetwork' | 'inspectContainer'>;
  probe: NetworkProbe;
  files: ProjectDir;
}

/** How long one probe may take: container start plus psql's 10 s connect timeout, on a busy host. */
const PROBE_TIMEOUT_MS = 45_000;

async function stackNetworkOf(access: StackAccess, id: string): Promise<StackNetwork> {
  const [bridge, internal] = await Promise.all([access.probe.networkAddresses('bridge'), access.probe.networkAddresses(networkName(id))]);
  return { hostAddress: bridge.gateway ?? internal.gateway, subnet: internal.subnet };
}

/**
 * The stack's db image on this host, which carries psql and pg_dump. Never pulled: a host that ran
 * the stack has it (a pinned one first, then the registry's, then whatever the bundled db
 * container runs). The backup of an external database runs pg_dump from it too.
 */
export async function stackDbImage(access: Pick<StackAccess, 'docker' | 'probe' | 'files'>, id: string): Promise<{ image: string | null; repository: string }> {
  const env = await readEnvFile(access.files).then((f) => f.values, () => ({}) as Record<string, string>);
  const pinned = (await readComposeOverride(access.files).catch(() => null))?.override.db?.image;
  const repository = `${registryOf(env)}/tale-db`;
  const image =
    (pinned ? await access.probe.localImage(pinned) : null) ??
    (await access.probe.localImage(repository)) ??
    (await access.docker.inspectContainer(containerName(id, 'db', null)))?.image ??
    null;
  return { image, repository };
}

/**
 * Signs in to `target` from where Tale runs: psql in a short-lived container of the stack's db
 * image on `<id>_internal` (created as a deploy creates it when missing). A loopback or "any"
 * address is refused before anything runs. Throws the coded error the operator acts on.
 */
export async function reachFromStack(access: StackAccess, target: ConnectTarget): Promise<{ serverVersion: string }> {
  const id = projectIdOf(await readTaleJson(access.files));
  if (classifyHost(target.host) !== 'other') throw loopbackRefusal(target.host, await stackNetworkOf(access, id));
  const { image, repository } = await stackDbImage(access, id);
  if (!image) {
    throw new PostgresError(
      'PROBE_IMAGE_MISSING',
      `No image of the stack's db (${repository}) is on this host to test the connection from Tale's network; the console does not pull one for this. Deploy once, or pull ${repository}:<version>, then try again.`,
    );
  }
  await access.docker.ensureNetwork(networkSpec(id));
  const run = await access.probe.run({
    name: `${id}-db-probe`,
    image,
    network: networkName(id),
    argv: PROBE_ARGV,
    env: probeEnv(target),
    labels: { project: id, 'io.tale.console.probe': 'true' },
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  return probeOutcome(target, run, await stackNetworkOf(access, id));
}

/**
 * The console's own connection, after the probe passed: the console prepares and checks the server
 * from its process, so an address only Tale's network resolves (a container name) fails here.
 */
export async function fromConsole<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PostgresError && (err.code === 'PG_UNREACHABLE' || err.code === 'PG_TIMEOUT')) {
      throw new PostgresError(
        err.code,
        `${err.message}. Tale's containers reach this address but the console's process does not: the console prepares the server from its own process, so enter an address both reach (an IP address rather than a container name).`,
        { cause: err },
      );
    }
    throw err;
  }
}

const connectionOf = (info: ServerInfo): ConnectionDto => ({
  serverVersion: info.serverVersion,
  majorVersion: Math.floor(info.versionNum / 10000),
  tls: info.tls,
  tlsRequired: info.tlsRequired,
});

export async function testConnection(target: ConnectTarget): Promise<ConnectionDto> {
  return withClient(target, async (client) => connectionOf(await serverInfo(client, target)));
}

/** Connect as the wizard runs it: from the stack's network first, then from the console's process. */
export async function connectFromStack(access: StackAccess, target: ConnectTarget): Promise<ConnectionDto> {
  await reachFromStack(access, target);
  return fromConsole(() => testConnection(target));
}

export async function checkServer(target: ConnectTarget): Promise<ChecksDto> {
  return withClient(target, async (client) => {
    const info = await serverInfo(client, target);
    const checks = await runChecks(client, info);
    return { connection: connectionOf(info), checks, ok: checks.every((c) => !c.required || c.status === 'pass') };
  });
}

export function previewPrepare(role: string, rotatePassword: boolean): PrepareStepDto[] {
  return describePrepare({ role, rotatePassword });
}

/** The role's password as .env's URLs hold it, when they point at this server and role. */
export async function knownRolePassword(files: ProjectDir, target: ConnectTarget, role: string): Promise<string | null> {
  const env = await readEnvFile(files).then((f) => f.values, () => null);
  const url = env?.POSTGRES_URL;
  if (!url) return null;
  try {
    const parsed = parseConnectionUrl(url);
    return parsed.host === target.host && parsed.port === target.port && parsed.user === role ? parsed.password : null;
  } catch {
    return null;
  }
}

export type PrepareRefusal = { refused: ChecksDto };

/** Runs the checks again (never prepare a server that fails them), then the idempotent steps. */
export async function prepareServer(
  files: ProjectDir,
  target: ConnectTarget,
  opts: { role: string; rotatePassword: boolean },
): Promise<PrepareResultDto | PrepareRefusal> {
  const checks = await checkServer(target);
  if (!checks.ok) return { refused: checks };
  // The role step uses the verifier only when it creates the role or rotates its password; the
  // password goes back to the operator only then.
  const password = generatePassword();
  const steps = await runPrepare(target, { role: opts.role, rotatePassword: opts.rotatePassword, passwordVerifier: scramVerifier(password) });
  const roleStep = steps.find((s) => s.id === 'role');
  const setNow = roleStep?.state === 'created' || roleStep?.state === 'changed';
  const known = setNow ? null : await knownRolePassword(files, target, opts.role);
  return {
    steps,
    ok: steps.every((s) => s.state !== 'failed'),
    rolePassword: setNow ? password : null,
    passwordSource: setNow ? 'set-now' : known ? 'env' : 'unknown',
  };
}

export interface ConfigureInput {
  target: ConnectTarget;
  role: string;
  rolePassword?: string;
  apply: boolean;
}

export async function configureProject(files: ProjectDir, input: ConfigureInput): Promise<ConfigureResultDto> {
  const password = input.rolePassword ?? (await knownRolePassword(files, input.target, input.role));
  if (!password) {
    throw new CodedError('ROLE_PASSWORD_UNKNOWN', `The password of role ${input.role} is not known here: run prepare with “set a new password”.`);
  }
  const info = await withClient(input.target, (c) => serverInfo(c, input.target));
  const urls = serviceUrls({ host: input.target.host, port: input.target.port, role: input.role, password, sslMode: input.target.sslMode });

  const env = await readEnvFile(files);
  const edits: Record<string, string> = { ...urls };
  renderEnvEdits(env.document, edits); // refuses before anything is written
  const envChanges = SERVICE_URL_KEYS.filter((k) => env.values[k] !== urls[k]).map((key) => ({
    key,
    before: env.values[key] ? maskUrl(env.values[key]) : null,
    after: maskUrl(urls[key]),
  }));
  const override = await planBundledDb(files, true);
  const warnings = serviceUrlWarnings({ sslMode: input.target.sslMode, tlsRequired: info.tlsRequired });
  if (['localhost', '127.0.0.1', '::1'].includes(input.target.host)) {
    warnings.push(`${input.target.host} inside Tale's containers is the container itself: use an address the containers can reach.`);
  }
  const result: ConfigureResultDto = {
    applied: false,
    envChanges,
    // As the pin preview: an `environment:` value in the override may be a secret.
    overrideDiff: lineDiff(redactOverride(override.before ?? ''), redactOverride(override.after ?? '')),
    overrideFile: override.file,
    warnings,
    backups: [],
  };
  if (!input.apply) return result;
  const written = await updateEnvFile(files, edits);
  const overrideBackup = await applyOverrideEdit(files, override);
  result.applied = true;
  result.backups = [written.backupPath, overrideBackup].filter((p): p is string => p !== null);
  return result;
}

async function envUrls(files: ProjectDir): Promise<ServiceUrls | null> {
  const { values } = await readEnvFile(files);
  if (!values.POSTGRES_URL || !values.RAG_DATABASE_URL || !values.CRAWLER_DATABASE_URL) return null;
  return { POSTGRES_URL: values.POSTGRES_URL, RAG_DATABASE_URL: values.RAG_DATABASE_URL, CRAWLER_DATABASE_URL: values.CRAWLER_DATABASE_URL };
}

export async function verifyProject(files: ProjectDir, caCert?: string): Promise<VerifyResultDto> {
  const urls = await envUrls(files);
  if (!urls) return { ok: false, items: [{ target: '.env', ok: false, detail: 'POSTGRES_URL, RAG_DATABASE_URL and CRAWLER_DATABASE_URL are not all set' }] };
  const items = await verifyServiceUrls(urls, caCert);
  const { override } = await readComposeOverride(files);
  items.push({
    target: 'compose.override.yml',
    ok: override.db?.disabled === true,
    detail: override.db?.disabled ? 'The bundled db is disabled: the next deploy starts no db container.' : 'The bundled db is still enabled.',
  });
  return { ok: items.every((i) => i.ok), items };
}

/** Verify, with each service URL also signed in to from the stack's network (as the services will). */
export async function verifyProjectFromStack(access: StackAccess, caCert?: string): Promise<VerifyResultDto> {
  const result = await verifyProject(access.files, caCert);
  const urls = await envUrls(access.files);
  if (!urls) return result;
  const seen = new Map<string, string | null>();
  for (const [i, key] of SERVICE_URL_KEYS.entries()) {
    const item = result.items[i];
    if (!item) continue;
    let problem: string | null;
    try {
      const target = { ...parseConnectionUrl(urls[key]), database: VERIFY_DATABASES[key], caCert };
      const once = JSON.stringify([target.host, target.port, target.user, target.database, target.sslMode]);
      problem = seen.has(once) ? seen.get(once)! : await reachFromStack(access, target).then(() => null, (err: unknown) => (err instanceof Error ? err.message : 'failed'));
      seen.set(once, problem);
    } catch (err) {
      problem = err instanceof Error ? err.message : 'failed';
    }
    if (problem) result.items[i] = { ...item, ok: false, detail: `From Tale's network: ${problem}` };
  }
  return { ok: result.items.every((i) => i.ok), items: result.items };
}

export async function databaseMode(files: ProjectDir): Promise<DatabaseModeDto> {
  let loaded;
  try {
    loaded = await readComposeOverride(files);
  } catch (err) {
    if (!(err instanceof CodedError)) throw err;
    return { mode: 'bundled', external: null, overrideFile: null, problem: err.message };
  }
  const values = await readEnvFile(files).then((f) => f.values, () => ({}) as Record<string, string>);
  let external: DatabaseModeDto['external'] = null;
  if (values.POSTGRES_URL) {
    try {
      const p = parseConnectionUrl(values.POSTGRES_URL);
      external = { host: p.host, port: p.port, user: p.user, sslMode: p.sslMode };
    } catch {
      external = null;
    }
  }
  return { mode: loaded.override.db?.disabled ? 'external' : 'bundled', external, overrideFile: loaded.file, problem: null };
}

/** Back to the bundled db: the URLs leave .env and the override enables the db again. */
export async function useBundledDatabase(files: ProjectDir): Promise<{ warnings: string[]; backups: string[] }> {
  const env = await readEnvFile(files);
  const warnings: string[] = [];
  if (!env.values.DB_PASSWORD) warnings.push('DB_PASSWORD is not set in .env: the bundled db will not start without it.');
  warnings.push('The bundled db has its own data: whatever was written to the external server stays there.');
  const override = await planBundledDb(files, false);
  const written = await updateEnvFile(files, { POSTGRES_URL: null, RAG_DATABASE_URL: null, CRAWLER_DATABASE_URL: null });
  const overrideBackup = await applyOverrideEdit(files, override);
  return { warnings, backups: [written.backupPath, overrideBackup].filter((p): p is string => p !== null) };
}
