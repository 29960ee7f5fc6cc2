import { afterEach, describe, expect, it } from 'vitest';
import type { HealthIncidentDto } from '@/lib/dto/health';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import type { ContainerEvent, ContainerEventSource } from '../docker/container-events';
import type { Clock, ContainerDetails, ContainerSummary, DockerPort, ProjectPort } from '../engine/ports';
import { incidentsBetween, readHeartbeat, samplesBetween, writeHeartbeat } from './store';
import { createWatch, type Watch } from './watcher';

// The watcher against a real (temporary) database and a scripted Docker: an event stream that the
// test feeds and breaks, containers whose state it sets.

const P = 'hw-unit';
const labels = (service: string, color?: string) => ({ 'com.docker.compose.project': color ? `${P}-${color}` : P, 'com.docker.compose.service': color ? `${service}-${color}` : service });

const clock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
    }),
};

function scripted() {
  const containers = new Map<string, { labels: Record<string, string>; running: boolean; health: ContainerDetails['health']; exitCode: number | null }>();
  let emit: ((e: ContainerEvent) => void) | null = null;
  let end: ((err: Error | null) => void) | null = null;
  let reachable = true;
  let opens = 0;
  const events: ContainerEventSource = {
    async open(onEvent, onEnd) {
      if (!reachable) throw new Error('connect ENOENT /var/run/docker.sock');
      opens++;
      emit = onEvent;
      end = onEnd;
      return { close: () => ((emit = null), (end = null)) };
    },
  };
  const docker = {
    async listContainers(want: Record<string, string>): Promise<ContainerSummary[]> {
      return [...containers.entries()]
        .filter(([, c]) => Object.entries(want).every(([k, v]) => c.labels[k] === v))
        .map(([name, c]) => ({ id: name, name, labels: c.labels, state: c.running ? 'running' : 'exited' }));
    },
    async inspectContainer(name: string) {
      const c = containers.get(name);
      return c ? ({ id: name, name, labels: c.labels, running: c.running, restarting: false, health: c.health, exitCode: c.exitCode } as ContainerDetails) : null;
    },
  } as unknown as DockerPort;
  let projectId = P;
  // Unreachable: the deployment directory cannot be read either (a remote host gone).
  const project = {
    readProjectId: async () => {
      if (!reachable) throw new Error('The SSH connection to 127.0.0.1:2222 was lost.');
      return projectId;
    },
  } as unknown as ProjectPort;
  return {
    containers,
    events,
    docker,
    project,
    send: (e: Partial<ContainerEvent> & Pick<ContainerEvent, 'action' | 'name' | 'labels'>) => emit?.({ at: Date.now(), id: e.name, exitCode: null, health: null, signal: null, ...e }),
    breakStream: () => end?.(new Error('EOF')),
    setReachable: (v: boolean) => (reachable = v),
    setProject: (id: string) => (projectId = id),
    opens: () => opens,
  };
}

const waitFor = async <T,>(read: () => T | undefined | null | false, what: string): Promise<T> => {
  for (let i = 0; i < 500; i++) {
    const v = read();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

let temp: TempDb;
let watch: Watch | null = null;
afterEach(async () => {
  await watch?.stop();
  watch = null;
  temp?.dispose();
});

function setUp(world: ReturnType<typeof scripted>, environmentId?: string) {
  temp = openTempDb('tc-watch-');
  const stats = { stats: async () => ({ cpuPercent: 12.5, memoryBytes: 1000, memoryLimitBytes: null }) };
  watch = createWatch({ db: temp.db, clock, docker: world.docker, events: world.events, stats, project: world.project, enabled: true, environmentId, sampleMs: 20, maxBackoffMs: 20, log: () => {} });
  return watch;
}

const all = () => incidentsBetween(temp.db, 'local', new Date(0), new Date(Date.now() + 60_000), 1000);

describe('the health watcher', () => {
  it('records a kill, a health change and a stop from the event stream, and samples CPU and memory', async () => {
    const w = scripted();
    w.containers.set(`${P}-platform-blue`, { labels: labels('platform', 'blue'), running: true, health: 'healthy', exitCode: null });
    const watch = setUp(w);
    const heard: HealthIncidentDto[] = [];
    watch.onIncident((i) => heard.push(i));
    watch.start();
    await waitFor(() => watch.status().listening, 'listening');
    w.send({ action: 'health_status', health: 'unhealthy', name: `${P}-platform-blue`, labels: labels('platform', 'blue') });
    w.send({ action: 'kill', signal: '9', name: `${P}-platform-blue`, labels: labels('platform', 'blue') });
    w.send({ action: 'die', exitCode: 137, name: `${P}-platform-blue`, labels: labels('platform', 'blue') });
    w.send({ action: 'die', exitCode: 0, name: `${P}-rag-blue`, labels: labels('rag', 'blue') });
    w.send({ action: 'stop', name: `${P}-rag-blue`, labels: labels('rag', 'blue') });
    w.send({ action: 'die', exitCode: 1, name: 'someone-else', labels: { 'com.docker.compose.project': 'other', 'com.docker.compose.service': 'db' } });
    const rows = all();
    expect(rows.map((r) => [r.container, r.kind, r.exitCode])).toEqual([
      [`${P}-rag-blue`, 'stop', 0],
      [`${P}-platform-blue`, 'kill', 137],
      [`${P}-platform-blue`, 'health', null],
    ]);
    expect(heard.map((i) => i.kind)).toEqual(['health']); // the kill and the stop are announced once settled
    await waitFor(() => heard.length === 3, 'the settled announcements');
    expect(heard.map((i) => i.kind).sort()).toEqual(['health', 'kill', 'stop']);
    await waitFor(() => samplesBetween(temp.db, 'local', new Date(0), new Date(Date.now() + 1000)).length > 0, 'a sample');
    expect(samplesBetween(temp.db, 'local', new Date(0), new Date(Date.now() + 1000))[0]).toMatchObject({ container: `${P}-platform-blue`, service: 'platform', cpuPercent: 12.5, memoryBytes: 1000 });
  });

  it('marks a gap from the last heartbeat when it starts, and records a container that died meanwhile', async () => {
    const w = scripted();
    w.containers.set(`${P}-db`, { labels: labels('db'), running: false, health: 'none', exitCode: 137 });
    const watch = setUp(w);
    const lastBeat = new Date(Date.now() - 120_000);
    writeHeartbeat(temp.db, 'local', lastBeat);
    temp.db.run(
      // The db was last known up: the console then stopped.
      (await import('drizzle-orm')).sql`INSERT INTO health_incidents (at, kind, container, service, state, reconciled) VALUES (${lastBeat.getTime() - 1000}, 'seen', ${`${P}-db`}, 'db', 'up', 0)`,
    );
    watch.start();
    await waitFor(() => all().some((r) => r.kind === 'die'), 'the reconciled die');
    const [die, gap] = all();
    expect(gap).toMatchObject({ kind: 'gap', at: lastBeat.toISOString() });
    expect(new Date(gap!.until!).getTime()).toBeGreaterThan(lastBeat.getTime());
    expect(die).toMatchObject({ kind: 'die', container: `${P}-db`, exitCode: 137, reconciled: true, state: 'down' });
  });

  it('reconnects after the stream breaks and the engine comes back, marking the gap', async () => {
    const w = scripted();
    w.containers.set(`${P}-proxy`, { labels: labels('proxy'), running: true, health: 'healthy', exitCode: null });
    const watch = setUp(w);
    watch.start();
    await waitFor(() => watch.status().listening && readHeartbeat(temp.db, 'local'), 'listening with a heartbeat');
    expect(all().filter((r) => r.kind === 'gap')).toHaveLength(0); // a first start ever has no gap
    w.setReachable(false);
    w.breakStream();
    await waitFor(() => !watch.status().listening, 'the break');
    await new Promise((r) => setTimeout(r, 60));
    w.containers.get(`${P}-proxy`)!.health = 'unhealthy';
    w.setReachable(true);
    await waitFor(() => all().some((r) => r.kind === 'gap'), 'the gap');
    await waitFor(() => all().some((r) => r.kind === 'health'), 'the reconciled health');
    expect(w.opens()).toBe(2);
    expect(all().find((r) => r.kind === 'health')).toMatchObject({ container: `${P}-proxy`, state: 'unhealthy', reconciled: true });
  });

  it('takes a directory that cannot be read for a break, not a new project: no heartbeat past the drop', async () => {
    const w = scripted();
    const watch = setUp(w);
    watch.start();
    await waitFor(() => watch.status().listening && readHeartbeat(temp.db, 'local'), 'listening');
    // The host goes away and the event stream has not said so yet: the next tick finds the directory unreadable.
    w.setReachable(false);
    const dropped = Date.now();
    await waitFor(() => !watch.status().listening, 'the break');
    await new Promise((r) => setTimeout(r, 60));
    expect(readHeartbeat(temp.db, 'local')!.getTime()).toBeLessThanOrEqual(dropped);
    w.setReachable(true);
    const gap = await waitFor(() => all().find((r) => r.kind === 'gap'), 'the gap');
    expect(new Date(gap.at).getTime()).toBeLessThanOrEqual(dropped);
    expect(w.opens()).toBe(2);
  });

  it('follows a new project without calling the switch a gap', async () => {
    const w = scripted();
    const watch = setUp(w);
    watch.start();
    await waitFor(() => watch.status().listening && readHeartbeat(temp.db, 'local'), 'listening');
    w.setProject('hw-other');
    await waitFor(() => w.opens() === 2 && watch.status().listening, 'the second project');
    expect(all().filter((r) => r.kind === 'gap')).toEqual([]);
  });

  it("keeps a remote environment's history apart: its own heartbeat, gap, incidents and samples", async () => {
    const w = scripted();
    w.containers.set(`${P}-proxy`, { labels: labels('proxy'), running: true, health: 'healthy', exitCode: null });
    const watch = setUp(w, 'staging');
    // The local watcher's heartbeat is old: a remote watcher reading it would record a gap from it.
    writeHeartbeat(temp.db, 'local', new Date(Date.now() - 600_000));
    watch.start();
    await waitFor(() => watch.status().listening && readHeartbeat(temp.db, 'staging'), 'the remote heartbeat');
    const remote = () => incidentsBetween(temp.db, 'staging', new Date(0), new Date(Date.now() + 60_000), 1000);
    expect(remote().filter((r) => r.kind === 'gap')).toEqual([]);
    w.setReachable(false);
    w.breakStream();
    await waitFor(() => !watch.status().listening, 'the break');
    const beatBefore = readHeartbeat(temp.db, 'staging')!.getTime();
    await new Promise((r) => setTimeout(r, 100));
    // While the host is gone no heartbeat is written: the gap will start at the last one.
    expect(readHeartbeat(temp.db, 'staging')!.getTime()).toBe(beatBefore);
    w.setReachable(true);
    await waitFor(() => remote().some((r) => r.kind === 'gap'), 'the remote gap');
    expect(new Date(remote().find((r) => r.kind === 'gap')!.at).getTime()).toBe(beatBefore);
    w.send({ action: 'health_status', health: 'unhealthy', name: `${P}-proxy`, labels: labels('proxy') });
    await waitFor(() => remote().some((r) => r.kind === 'health'), 'the remote health change');
    await waitFor(() => samplesBetween(temp.db, 'staging', new Date(0), new Date(Date.now() + 1000)).length > 0, 'a remote sample');
    // Nothing of it in the local history, and the local heartbeat is untouched.
    expect(all()).toEqual([]);
    expect(samplesBetween(temp.db, 'local', new Date(0), new Date(Date.now() + 1000))).toEqual([]);
    expect(readHeartbeat(temp.db, 'local')!.getTime()).toBeLessThan(Date.now() - 500_000);
  });
});
