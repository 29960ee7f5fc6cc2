import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDto } from '@/lib/dto/environments';
import { pollUntil } from '../fixtures/poll';
import { startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { runCommand } from '../fixtures/run-command';
import { consoleDb, startConsole, type RunningConsole } from '../support/console';

// Removing an environment closes its kept runtime at once (closeEnvironmentRuntime, server/
// environment-runtimes.ts), seen from the host's side: before, the console holds an established
// TCP connection to the host's sshd, the host runs an sshd session and the health watch's
// `docker system dial-stdio` (its event stream) as the environment's user, and the watch writes
// heartbeats; after the DELETE, the connection, the session and the remote processes are gone,
// and nothing of that runtime comes back (no new SSH login, no new heartbeat) over more than one
// watch sample and status refresh interval (10 s each).

let host: RemoteHost;
let app: RunningConsole;
const ENV_ID = 'ev-close';

beforeAll(async () => {
  host = await startRemoteHost({ id: 'evclose' });
  app = await startConsole();
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await host?.dispose();
}, 120_000);

const api = async <T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T; text: string }> => {
  const res = await fetch(`${app.baseURL}${url}`, { method, headers: { Cookie: app.cookie, Origin: app.baseURL, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T, text };
};

/** Established TCP connections to the host's sshd (only this test file's console connects to this port). */
async function sshConnections(): Promise<number> {
  const r = await runCommand('ss', ['-tnH', 'state', 'established', `( dport = :${host.ssh.port} )`]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** The processes the host runs as the environment's SSH user (its sshd sessions, `docker system dial-stdio`). */
async function userProcesses(): Promise<string[]> {
  const r = await runCommand('ps', ['-u', host.ssh.user, '-o', 'args='], { allowFailure: true });
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

const logins = () => host.sshLog().split('\n').filter((l) => l.includes('Accepted publickey')).length;

function heartbeat(): number | null {
  const db = consoleDb(app);
  try {
    const row = db.prepare('SELECT heartbeat_at AS at FROM health_watch_state WHERE environment_id = ?').get(ENV_ID) as { at: number } | undefined;
    return row?.at ?? null;
  } finally {
    db.close();
  }
}

describe('removing an environment', () => {
  it('ends its SSH connection, its remote processes and its watch', async () => {
    const dir = path.join(host.deployDirRoot, 'ev-close');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'tale.json'), JSON.stringify({ version: 1, cliVersion: 'test', createdAt: new Date().toISOString(), id: 'ev-close' }));
    const owner = fs.statSync(host.deployDirRoot);
    for (const p of [dir, path.join(dir, 'tale.json')]) fs.chownSync(p, owner.uid, owner.gid);
    const fingerprint = await host.hostKeyFingerprint();
    const form = { name: ENV_ID, colour: 'blue', endpoint: `ssh://${host.ssh.user}@${host.ssh.host}:${host.ssh.port}`, deployDir: dir, privateKey: host.privateKey };
    const add = await api('POST', '/api/v1/environments', { ...form, hostKeyFingerprint: fingerprint });
    expect(add.status, add.text).toBe(201);
    // The add starts the kept runtime at once, before anyone opens the environment: its
    // connection, its health watch (remote processes, heartbeats) and its status reads.
    await pollUntil(async () => (await userProcesses()).join('\n'), (ps) => ps.includes('docker system dial-stdio') && ps.includes(`sshd: ${host.ssh.user}`), 30_000);
    await pollUntil(async () => heartbeat(), (at) => at !== null, 30_000);
    const fleet = await api<FleetDto>('GET', '/api/v1/fleet');
    expect(fleet.status, fleet.text).toBe(200);
    expect(fleet.json.environments.find((e) => e.environment.id === ENV_ID)!.probe).toMatchObject({ reachable: true, projectId: 'ev-close' });
    const before = { connections: await sshConnections(), processes: await userProcesses(), heartbeat: heartbeat() };
    expect(before.connections).toBeGreaterThanOrEqual(1);

    const removed = await api('DELETE', `/api/v1/environments/${ENV_ID}`, { confirmName: ENV_ID });
    expect(removed.status, removed.text).toBe(204);
    await pollUntil(sshConnections, (n) => n === 0, 15_000);
    await pollUntil(userProcesses, (ps) => ps.length === 0, 15_000);
    const loginsAfter = logins();
    const heartbeatAfter = heartbeat();

    // Longer than one watch sample and one status refresh: a watch or status read still running
    // would log in again (a new SSH connection) or write a heartbeat.
    await new Promise((r) => setTimeout(r, 12_000));
    const later = { connections: await sshConnections(), processes: await userProcesses(), logins: logins(), heartbeat: heartbeat() };
    console.log(`before removal: ${before.connections} SSH connection(s), remote processes [${before.processes.join('; ')}]; 12 s after: ${later.connections} connection(s), ${later.processes.length} process(es), ${later.logins - loginsAfter} new login(s)`);
    expect(later.connections).toBe(0);
    expect(later.processes).toEqual([]);
    expect(later.logins).toBe(loginsAfter);
    expect(later.heartbeat).toBe(heartbeatAfter);
    // The fleet no longer lists it.
    const after = await api<FleetDto>('GET', '/api/v1/fleet');
    expect(after.json.environments.map((e) => e.environment.id)).toEqual(['local']);
  }, 180_000);
});
