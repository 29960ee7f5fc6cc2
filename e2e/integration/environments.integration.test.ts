import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentDto, FleetDto } from '@/lib/dto/environments';
import type { OperationDto, StackStatusDto } from '@/lib/dto/operations';
import { freeLoopbackPort } from '../fixtures/free-port';
import { startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { runCommand } from '../fixtures/run-command';
import { createSignedInUser } from '../support/accounts';
import { consoleDb, startConsole, type RunningConsole } from '../support/console';

// Environments against a built console and real sockets on loopback (no SSH server is needed for
// these faults): a listener that answers but is not sshd, one that accepts and never says a word,
// and a closed port. Adding refuses with a coded error in words and saves nothing; the fleet shows
// local reachable and the others unreachable without waiting past its deadline; a viewer reads but
// cannot add or remove.

let app: RunningConsole;
let notSsh: net.Server;
let silent: net.Server;
const held: net.Socket[] = [];
let notSshPort: number;
let silentPort: number;
let closedPort: number;
// OpenSSH format, as an operator pastes it: the transport refuses a key ssh2 cannot read before connecting.
const privateKey = utils.generateKeyPairSync('ed25519').private;
const keyBody = privateKey.split('\n')[1]!;

const listen = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

beforeAll(async () => {
  // An HTTP server's greeting where an SSH banner should be, then it hangs up.
  notSsh = net.createServer((s) => (held.push(s), s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')));
  // Accepts and never speaks: a host whose sshd hangs, or a firewall that swallows the reply.
  silent = net.createServer((s) => void held.push(s));
  notSshPort = await listen(notSsh);
  silentPort = await listen(silent);
  closedPort = await freeLoopbackPort();
  app = await startConsole();
}, 180_000);

let remote: RemoteHost | undefined;

afterAll(async () => {
  // Sockets first: a server's close() waits for every connection it accepted.
  for (const s of held) s.destroy();
  notSsh?.close();
  silent?.close();
  await app?.stop();
  // After the console, whose kept SSH session would keep the host's user busy (userdel refuses it).
  await remote?.dispose(); // its engine, directories and user
}, 120_000);

const api = async <T>(method: string, url: string, body?: unknown, cookie = app.cookie): Promise<{ status: number; json: T; text: string; ms: number }> => {
  const started = performance.now();
  const res = await fetch(`${app.baseURL}${url}`, { method, headers: { Cookie: cookie, Origin: app.baseURL, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T, text, ms: Math.round(performance.now() - started) };
};

const form = (port: number) => ({ name: 'ev-staging', colour: 'amber', endpoint: `ssh://tale@127.0.0.1:${port}`, deployDir: '/srv/ev-staging', privateKey });
const savedRows = () => {
  const db = consoleDb(app);
  try {
    return db.prepare('SELECT id FROM environments').all();
  } finally {
    db.close();
  }
};

/** Test-side set-up: an environment saved as the add would save it, without a host to confirm. */
function saveDirectly(id: string, port: number) {
  const db = consoleDb(app, { readonly: false });
  try {
    db.prepare(
      `INSERT INTO environments (id, name, colour, kind, ssh_user, ssh_host, ssh_port, deploy_dir, host_key_algorithm, host_key_fingerprint, created_at, created_by)
       VALUES (?, ?, 'red', 'ssh', 'tale', '127.0.0.1', ?, ?, 'ssh-ed25519', ?, ?, 'test')`,
    ).run(id, id, port, `/srv/${id}`, 'SHA256:' + 'A'.repeat(43), Date.now());
  } finally {
    db.close();
  }
  fs.mkdirSync(path.join(app.dataDir, 'environments'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(app.dataDir, 'environments', `${id}.key`), privateKey, { mode: 0o600 });
}

describe('environments', () => {
  it('refuses to add a host that is not an SSH server, in words, and saves nothing', async () => {
    const scan = await api<{ code: string; message: string }>('POST', '/api/v1/environments/scan', form(notSshPort));
    // The transport calls a greeting that is not SSH unreachable or a failed connection; either way in words.
    const NOT_SSH = ['HOST_UNREACHABLE', 'CONNECTION_LOST'];
    const WORDS = /^The (host cannot be reached over SSH|SSH connection was lost)\. \S/;
    expect(scan.status, scan.text).toBe(422);
    expect(NOT_SSH).toContain(scan.json.code);
    expect(scan.json.message).toMatch(WORDS);
    const add = await api<{ code: string; message: string }>('POST', '/api/v1/environments', { ...form(notSshPort), hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43) });
    expect(add.status, add.text).toBe(422);
    expect(NOT_SSH).toContain(add.json.code);
    expect(add.json.message).toMatch(WORDS);
    for (const answer of [scan.text, add.text]) expect(answer).not.toContain(keyBody);
    console.log(`not-sshd listener: scan answered in ${scan.ms} ms, add in ${add.ms} ms: ${add.json.message}`);
    expect(savedRows()).toEqual([]);
    expect(fs.existsSync(path.join(app.dataDir, 'environments'))).toBe(false);
    const list = await api<{ environments: EnvironmentDto[] }>('GET', '/api/v1/environments');
    expect(list.json.environments.map((e) => e.id)).toEqual(['local']);
  });

  it('the fleet answers local reachable and the unreachable ones as such, within the deadline', async () => {
    const before = await api<FleetDto>('GET', '/api/v1/fleet');
    expect(before.status, before.text).toBe(200);
    expect(before.json.environments.map((e) => [e.environment.id, e.probe.reachable])).toEqual([['local', true]]);
    saveDirectly('ev-silent', silentPort);
    saveDirectly('ev-closed', closedPort);
    const after = await api<FleetDto>('GET', '/api/v1/fleet');
    expect(after.status, after.text).toBe(200);
    const byId = Object.fromEntries(after.json.environments.map((e) => [e.environment.id, e]));
    expect(after.json.environments.map((e) => e.environment.id)).toEqual(['local', 'ev-silent', 'ev-closed']);
    expect(byId.local!.probe.reachable).toBe(true);
    expect(byId['ev-silent']!.probe).toMatchObject({ reachable: false, message: expect.any(String) });
    expect(byId['ev-closed']!.probe).toMatchObject({ reachable: false, code: 'HOST_UNREACHABLE', message: expect.stringContaining('cannot be reached') });
    expect(after.text).not.toContain(keyBody);
    const code = (e: FleetDto['environments'][number]) => (e.probe.reachable ? 'reachable' : e.probe.code);
    console.log(
      `GET /api/v1/fleet: ${before.ms} ms with local only; ${after.ms} ms with a silent and a closed host added (deadline ${after.json.deadlineMs} ms); ` +
        after.json.environments.map((e) => `${e.environment.id} ${code(e)} in ${e.durationMs} ms`).join(', '),
    );
    // Their runtimes keep the failure (environments/status-snapshot.ts): the next fleet answers it
    // from memory, read at the same moment, instead of waiting for the silent host again.
    const again = await api<FleetDto>('GET', '/api/v1/fleet');
    const againById = Object.fromEntries(again.json.environments.map((e) => [e.environment.id, e]));
    for (const id of ['ev-silent', 'ev-closed']) {
      expect(againById[id]!.probe.reachable).toBe(false);
      expect(againById[id]!.checkedAt).toBe(byId[id]!.checkedAt);
      expect(againById[id]!.ageMs).toBeGreaterThan(0);
    }
    expect(againById.local!.probe.reachable).toBe(true);
    console.log(`GET /api/v1/fleet again: ${again.ms} ms; ${again.json.environments.map((e) => `${e.environment.id} ${code(e)} read ${e.ageMs} ms before`).join(', ')}`);
    // The page renders the same cards.
    const page = await fetch(`${app.baseURL}/fleet`, { headers: { Cookie: app.cookie } }).then((r) => r.text());
    expect(page).toContain('ev-silent');
    expect(page).toContain('unreachable');
    expect(page).toMatch(/read (just now|\d+ s ago)/);
  });

  it('a viewer reads the environments and the fleet but cannot add or remove (403)', async () => {
    const viewer = await createSignedInUser(app.baseURL, app.cookie, { name: 'Viewer', email: 'ev-viewer@example.com', role: 'viewer', password: 'viewer-password-123' });
    expect((await api('GET', '/api/v1/environments', undefined, viewer.cookie)).status).toBe(200);
    expect((await api('GET', '/api/v1/fleet', undefined, viewer.cookie)).status).toBe(200);
    const scan = await api<{ code: string }>('POST', '/api/v1/environments/scan', form(notSshPort), viewer.cookie);
    const add = await api<{ code: string }>('POST', '/api/v1/environments', { ...form(notSshPort), hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43) }, viewer.cookie);
    const remove = await api<{ code: string }>('DELETE', '/api/v1/environments/ev-closed', { confirmName: 'ev-closed' }, viewer.cookie);
    expect([scan.status, add.status, remove.status]).toEqual([403, 403, 403]);
    expect(savedRows()).toHaveLength(2);
    // The admin can, and the key file goes with it.
    const removed = await api('DELETE', '/api/v1/environments/ev-closed', { confirmName: 'ev-closed' });
    expect(removed.status, removed.text).toBe(204);
    expect(fs.existsSync(path.join(app.dataDir, 'environments', 'ev-closed.key'))).toBe(false);
    expect(savedRows()).toEqual([{ id: 'ev-silent' }]);
  });
});

// The API in a real remote environment (e2e/fixtures/remote-host.ts: a second Docker Engine behind
// OpenSSH), added through the API as an admin does (scan, then confirm the fingerprint). Each
// side's deployment directory holds a tale.json of its own project id, so a status names whose
// stack it shows by its container names.
describe('the API in a remote environment (?env=)', () => {
  const REMOTE_PROJECT = 't6api-remote';
  const LOCAL_PROJECT = 't6api-local';
  const ENV = 't6api-rm';
  const taleJson = (id: string) => `${JSON.stringify({ version: 1, cliVersion: '0.0.0-fixture', createdAt: new Date().toISOString(), id })}\n`;

  beforeAll(async () => {
    remote = await startRemoteHost({ id: 't6api' });
    const remoteDir = path.join(remote.deployDirRoot, REMOTE_PROJECT);
    fs.mkdirSync(remoteDir);
    fs.writeFileSync(path.join(remoteDir, 'tale.json'), taleJson(REMOTE_PROJECT));
    await runCommand('chown', ['-R', `${remote.ssh.user}:${remote.ssh.user}`, remoteDir]);
    // The console's own DEPLOY_DIR (its default, below its data directory).
    fs.mkdirSync(path.join(app.dataDir, 'deploy'), { recursive: true });
    fs.writeFileSync(path.join(app.dataDir, 'deploy', 'tale.json'), taleJson(LOCAL_PROJECT));
    const fields = { name: ENV, colour: 'green', endpoint: `ssh://${remote.ssh.user}@${remote.ssh.host}:${remote.ssh.port}`, deployDir: remoteDir, privateKey: remote.privateKey };
    const scan = await api<{ hostKey: { fingerprint: string } }>('POST', '/api/v1/environments/scan', fields);
    expect(scan.status, scan.text).toBe(200);
    expect(scan.json.hostKey.fingerprint).toBe(await remote.hostKeyFingerprint());
    const added = await api<EnvironmentDto>('POST', '/api/v1/environments', { ...fields, hostKeyFingerprint: scan.json.hostKey.fingerprint });
    expect(added.status, added.text).toBe(201);
    expect(added.json.id).toBe(ENV);
  }, 300_000);

  it('GET /api/v1/status?env= shows the remote stack and not the local one', async () => {
    const there = await api<StackStatusDto>('GET', `/api/v1/status?env=${ENV}`);
    const here = await api<StackStatusDto>('GET', '/api/v1/status');
    console.log(`GET /api/v1/status: ${there.ms} ms in ${ENV} (over SSH), ${here.ms} ms locally`);
    expect([there.status, here.status], there.text).toEqual([200, 200]);
    expect(there.json.engine.reachable).toBe(true);
    // Nothing deployed on either side: each lists its own project's containers, as missing.
    expect(there.json.containers.length).toBeGreaterThan(0);
    for (const c of there.json.containers) expect(c.name.startsWith(`${REMOTE_PROJECT}-`), c.name).toBe(true);
    expect(there.text).not.toContain(LOCAL_PROJECT);
    for (const c of here.json.containers) expect(c.name.startsWith(`${LOCAL_PROJECT}-`), c.name).toBe(true);
    expect(here.text).not.toContain(REMOTE_PROJECT);
  }, 120_000);

  it('operations belong to their environment: listed, read, followed and cancelled only through it', async () => {
    const startedThere = await fetch(`${app.baseURL}/api/v1/cleanups?env=${ENV}`, { method: 'POST', headers: { Cookie: app.cookie, Origin: app.baseURL } });
    const there = (await startedThere.json()) as OperationDto;
    expect(startedThere.status, JSON.stringify(there)).toBe(202);
    expect(there.environmentId).toBe(ENV);
    expect(startedThere.headers.get('location')).toBe(`/api/v1/operations/${there.id}?env=${ENV}`);
    const here = await api<OperationDto>('POST', '/api/v1/cleanups', {});
    expect(here.status, here.text).toBe(202);
    expect(here.json.environmentId).toBe('local');

    const listThere = await api<{ operations: OperationDto[] }>('GET', `/api/v1/operations?env=${ENV}`);
    const listHere = await api<{ operations: OperationDto[] }>('GET', '/api/v1/operations');
    expect(listThere.json.operations.map((o) => o.id)).toEqual([there.id]);
    expect(listHere.json.operations.map((o) => o.id)).toContain(here.json.id);
    expect(listHere.json.operations.map((o) => o.id)).not.toContain(there.id);

    // One operation, its events and its cancel: found through its own environment, 404 through another.
    expect((await api('GET', `/api/v1/operations/${there.id}?env=${ENV}`)).status).toBe(200);
    expect((await api('GET', `/api/v1/operations/${there.id}`)).status).toBe(404);
    expect((await api('GET', `/api/v1/operations/${here.json.id}?env=${ENV}`)).status).toBe(404);
    const events = await fetch(`${app.baseURL}/api/v1/operations/${there.id}/events`, { headers: { Cookie: app.cookie } });
    expect(events.status).toBe(404);
    await events.body?.cancel();
    const cancelAcross = await api<{ code: string }>('POST', `/api/v1/operations/${here.json.id}/cancel?env=${ENV}`, {});
    expect([cancelAcross.status, cancelAcross.json.code]).toEqual([404, 'NOT_FOUND']);
    // The console's own stream follows an operation by its id alone, in the operation's environment.
    const followed = await fetch(`${app.baseURL}/api/operations/${there.id}/events`, { headers: { Cookie: app.cookie } });
    expect(followed.status).toBe(200);
    expect(await followed.text()).toContain('event: end');
    expect((await fetch(`${app.baseURL}/api/operations/${there.id}/events?env=local`, { headers: { Cookie: app.cookie } })).status).toBe(404);
  }, 180_000);

  it('the role is the one granted in the chosen environment', async () => {
    const user = await createSignedInUser(app.baseURL, app.cookie, { name: 'Staging Operator', email: 't6api-op@example.com', role: 'viewer', password: 'viewer-password-123' });
    const db = consoleDb(app, { readonly: false });
    try {
      db.prepare('INSERT INTO environment_roles (user_id, environment_id, role, granted_at, granted_by) VALUES (?, ?, ?, ?, ?)').run(user.id, ENV, 'operator', Date.now(), 'test');
    } finally {
      db.close();
    }
    const local = await api<{ code: string }>('POST', '/api/v1/cleanups', {}, user.cookie);
    expect([local.status, local.json.code]).toEqual([403, 'FORBIDDEN']);
    expect((await api<{ role: string }>('GET', `/api/v1/me?env=${ENV}`, undefined, user.cookie)).json.role).toBe('operator');
    expect((await api<{ role: string }>('GET', '/api/v1/me', undefined, user.cookie)).json.role).toBe('viewer');
    const there = await api<OperationDto>('POST', `/api/v1/cleanups?env=${ENV}`, {}, user.cookie);
    expect(there.status, there.text).toBe(202);
    // Their operator role in the remote environment does not reach a local operation through its URL.
    const localOp = (await api<{ operations: OperationDto[] }>('GET', '/api/v1/operations')).json.operations[0]!;
    const across = await api('POST', `/api/v1/operations/${localOp.id}/cancel?env=${ENV}`, {}, user.cookie);
    expect(across.status).toBe(404);
  }, 120_000);
});
