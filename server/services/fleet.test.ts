import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '@/lib/errors';
import type { SessionUser } from '@/lib/dto/user';
import { alertDeliveries } from '../db/schema/alerts';
import { operations } from '../db/schema/operations';
import { insertEnvironment } from '../environments/store';
import { RemoteError } from '../remote/remote-error';
import type { Runtime } from '../runtime';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { getFleet, probeAnswer, type RuntimeOf } from './fleet';
import { createSnapshotKeeper, keepStatus } from '../environments/status-snapshot';
import type { FleetProbeDto } from '@/lib/dto/environments';

// The fleet over fake environment runtimes: every environment asked at once through its kept
// runtime under its own deadline, so a host that never answers is unreachable (TIMEOUT) after the
// deadline while the others answer; a probe still under way is joined, not repeated; each
// environment shows its own running operation, last backup and alerts.

const viewer = callerOf({ id: 'u-v', email: 'v@example.com', name: 'v', role: 'viewer' } satisfies SessionUser);
const DEADLINE = 300;
let added = 0;
let f: FakeRuntime;
beforeEach(() => (f = fakeRuntime()));
afterEach(() => f.dispose());

function add(id: string) {
  insertEnvironment(f.rt.db, {
    id,
    name: id,
    colour: 'amber',
    kind: 'ssh',
    sshUser: 'tale',
    sshHost: `${id}.test`,
    sshPort: 22,
    deployDir: `/srv/${id}`,
    hostKeyAlgorithm: 'ssh-ed25519',
    production: false,
    hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
    createdAt: new Date(Date.UTC(2026, 0, 1) + added++ * 1000),
    createdBy: 'admin@example.com',
  });
}

/** A remote environment's runtime whose project answers with `readProjectId` (the probe's first read). */
function remoteRuntime(id: string, readProjectId: () => Promise<string>): Runtime {
  return { ...f.rt, environment: { id, name: id, colour: 'amber', kind: 'ssh', production: false }, project: { ...f.rt.project, readProjectId } } as Runtime;
}

function operation(id: string, environmentId: string, kind: 'deploy' | 'backup', status: 'running' | 'succeeded', finishedAt: Date | null) {
  f.rt.db.insert(operations).values({ id, environmentId, kind, status, mutating: kind === 'deploy', params: '{}', actorId: null, actorEmail: null, createdAt: new Date(), finishedAt }).run();
}

function alert(id: string, environmentId: string | undefined) {
  const payload = JSON.stringify({ id, kind: 'operation.failed', occurredAt: new Date().toISOString(), ...(environmentId ? { environmentId } : {}), data: {} });
  for (const channel of ['c1', 'c2']) f.rt.db.insert(alertDeliveries).values({ channelId: channel, channelName: channel, event: 'operation.failed', payload, test: false, status: 'sent', attempts: 1, nextAttemptAt: null, createdAt: new Date() }).run();
}

describe('getFleet', () => {
  it('answers every environment through its runtime: a hung one as TIMEOUT at its deadline, the others as they are', async () => {
    for (const id of ['hung', 'refused', 'empty', 'keyless']) add(id);
    let hungProbes = 0;
    const runtimes: Record<string, Runtime> = {
      local: f.rt,
      hung: remoteRuntime('hung', () => (hungProbes++, new Promise(() => {}))),
      refused: remoteRuntime('refused', () => Promise.reject(new RemoteError('HOST_UNREACHABLE', 'refused.test:22: connection refused'))),
      empty: remoteRuntime('empty', () => Promise.reject(new CodedError('PROJECT_MISSING', 'No tale.json in /srv/empty.'))),
    };
    const runtimeOf: RuntimeOf = async (id) => runtimes[id] ?? Promise.reject(new CodedError('KEY_MISSING', 'The private key of keyless is missing.'));
    const fleet = await getFleet(f.rt, viewer, runtimeOf, DEADLINE);
    const byId = Object.fromEntries(fleet.environments.map((e) => [e.environment.id, e]));
    expect(fleet.environments.map((e) => e.environment.id)).toEqual(['local', 'hung', 'refused', 'empty', 'keyless']);
    expect(byId.local!.probe).toMatchObject({ reachable: true });
    expect(byId.hung!.probe).toMatchObject({ reachable: false, code: 'TIMEOUT' });
    expect(byId.refused!.probe).toMatchObject({ reachable: false, code: 'HOST_UNREACHABLE', message: expect.stringContaining('cannot be reached') });
    expect(byId.empty!.probe).toMatchObject({ reachable: true, initialised: false, message: 'No tale.json in /srv/empty.' });
    expect(byId.keyless!.probe).toMatchObject({ reachable: false, code: 'KEY_MISSING' });
    for (const e of fleet.environments) expect(e.records).toEqual({ running: null, lastBackup: null, alertsLast24h: 0 });
    console.log(`fleet of 5 (one hung) with a ${DEADLINE} ms deadline answered in ${fleet.durationMs} ms; per environment: ${fleet.environments.map((e) => `${e.environment.id} ${e.durationMs} ms`).join(', ')}`);

    // The hung probe is still under way: the next fleet joins it instead of asking the host again.
    const again = await getFleet(f.rt, viewer, runtimeOf, DEADLINE);
    expect(again.environments[1]!.probe).toMatchObject({ reachable: false, code: 'TIMEOUT' });
    expect(hungProbes).toBe(1);
  });

  it("shows each environment's own running operation, last backup and alerts of the last 24 h", async () => {
    add('staging');
    operation('op-run', 'staging', 'deploy', 'running', null);
    operation('op-bk-local', 'local', 'backup', 'succeeded', new Date('2026-12-01T10:00:00Z'));
    operation('op-bk-staging', 'staging', 'backup', 'succeeded', new Date('2026-12-02T10:00:00Z'));
    alert('a1', 'staging');
    alert('a2', 'staging');
    alert('a3', undefined); // queued before alerts named their environment: the local one's
    alert('a4', 'local');
    const runtimeOf: RuntimeOf = async (id) => (id === 'local' ? f.rt : remoteRuntime(id, () => Promise.resolve('staging-project')));
    const fleet = await getFleet(f.rt, viewer, runtimeOf, DEADLINE);
    const [local, staging] = fleet.environments;
    expect(local!.records).toEqual({ running: null, lastBackup: { operationId: 'op-bk-local', finishedAt: '2026-12-01T10:00:00.000Z' }, alertsLast24h: 2 });
    expect(staging!.records).toEqual({ running: { id: 'op-run', kind: 'deploy', purpose: expect.any(String) }, lastBackup: { operationId: 'op-bk-staging', finishedAt: '2026-12-02T10:00:00.000Z' }, alertsLast24h: 2 });
  });

  it("answers a remote runtime's kept snapshot with its age, reads an older one again, and keeps a failure as unreachable", async () => {
    add('kept');
    let reads = 0;
    let up = true;
    const rt = remoteRuntime('kept', () => Promise.resolve('kept-project'));
    const probe = (): Promise<FleetProbeDto> => (++reads, up ? Promise.resolve({ reachable: true, initialised: true, projectId: 'kept-project', activeColor: 'blue', activeVersion: `1.0.${reads}`, services: [], message: null }) : Promise.reject(new RemoteError('HOST_UNREACHABLE', 'kept.test:22: connection refused')));
    const keeper = createSnapshotKeeper({ read: probe, deadlineMs: DEADLINE, intervalMs: 60_000 });
    keepStatus(rt, keeper);
    const readAt = (await keeper.refresh()).at;
    const runtimeOf: RuntimeOf = async (id) => (id === 'local' ? f.rt : rt);
    await new Promise((r) => setTimeout(r, 20));
    const fleet = await getFleet(f.rt, viewer, runtimeOf, DEADLINE, 60_000);
    const kept = fleet.environments[1]!;
    // From memory: the one read so far, with when it was read and how old it was.
    expect(reads).toBe(1);
    expect(kept.probe).toMatchObject({ reachable: true, activeVersion: '1.0.1' });
    expect(kept.checkedAt).toBe(new Date(readAt).toISOString());
    expect(kept.ageMs).toBeGreaterThan(0);
    expect(fleet.environments[0]!.ageMs).toBe(0); // the local one is asked live
    // Older than the fleet accepts: read again before it is shown.
    const fresh = await getFleet(f.rt, viewer, runtimeOf, DEADLINE, 0);
    expect(reads).toBe(2);
    expect(fresh.environments[1]!.probe).toMatchObject({ reachable: true, activeVersion: '1.0.2' });
    // A failed read is kept as unreachable, never the last good answer.
    up = false;
    await keeper.refresh();
    const down = await getFleet(f.rt, viewer, runtimeOf, DEADLINE, 60_000);
    expect(down.environments[1]!.probe).toMatchObject({ reachable: false, code: 'HOST_UNREACHABLE' });
    expect(reads).toBe(3);
  });

  it('words an unreachable TCP environment for TCP: no SSH, no private key', () => {
    const failed = (error: unknown) => ({ ok: false as const, error, timedOut: false, ms: 5 });
    const refused = probeAnswer(failed(new RemoteError('HOST_UNREACHABLE', 'Connection refused.')), DEADLINE, 'tcp');
    expect(refused).toMatchObject({ reachable: false, code: 'HOST_UNREACHABLE' });
    expect(refused.reachable === false && refused.message).toMatch(/over TCP/);
    expect(refused.reachable === false && refused.message).not.toMatch(/SSH/);
    const keyless = probeAnswer(failed(new CodedError('KEY_MISSING', 'x')), DEADLINE, 'tcp');
    expect(keyless.reachable === false && keyless.message).toMatch(/certificates file/);
  });
});
