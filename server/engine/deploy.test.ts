import { describe, expect, it } from 'vitest';
import { HealthGateError } from './engine-error';
import { deploy, rollback } from './deploy';
import { planDeploy } from './deploy-plan';
import { engineSettings } from './engine-settings';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

const NET = 'acme_internal';
const colorNames = (c: 'blue' | 'green') => [`acme-rag-${c}`, `acme-crawler-${c}`, `acme-platform-${c}`];
const aliasesOf = (w: FakeWorld, name: string) => w.docker.containers.get(name)?.networks[NET] ?? null;

async function deployed(...versions: string[]): Promise<FakeWorld> {
  const w = fakeWorld();
  for (const version of versions) await deploy(w, { version });
  return w;
}

describe('first deploy', () => {
  it('starts db, proxy and convex, then blue, and records blue without a previous version', async () => {
    const w = fakeWorld();
    const result = await deploy(w, { version: '1.0.0' });

    expect(result.color).toBe('blue');
    expect(w.project.colorFile).toBe('blue');
    expect(w.project.previousVersion).toBeNull();
    expect(w.project.lockHeld).toBe(false);
    const created = w.docker.calls.filter((c) => c.startsWith('create ')).map((c) => c.slice(7));
    // convex waits for db; platform waits for rag and crawler.
    expect(created).toEqual(['acme-db', 'acme-proxy', 'acme-convex', 'acme-rag-blue', 'acme-crawler-blue', 'acme-platform-blue']);
    for (const name of colorNames('blue')) {
      const service = name.split('-')[1] as string;
      expect(aliasesOf(w, name)).toEqual([service, `${service}-blue`]);
    }
    expect(w.docker.aliasViolations).toEqual([]);
    // Every image pinned to the digest resolved for it.
    const pulls = w.docker.calls.filter((c) => c.startsWith('pull '));
    expect(pulls).toHaveLength(6);
    for (const p of pulls) expect(p).toMatch(/:1\.0\.0@sha256:[0-9a-f]{64}$/);
  });

  it('defaults to the newest version in the registry', async () => {
    const w = fakeWorld(['1.0.0', '2.0.0']);
    const result = await deploy(w);
    expect(result.version).toBe('2.0.0');
  });

  it('deploys version tags only: a channel such as latest is refused before anything changes', async () => {
    const w = fakeWorld(['1.0.0', 'latest']);
    await expect(deploy(w, { version: 'latest' })).rejects.toMatchObject({ code: 'INVALID_VERSION' });
    expect(w.docker.calls).toEqual([]);
  });

  it('emits ordered step events', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    expect(w.events.outline()).toEqual([
      'lock:started',
      'lock:succeeded',
      'resolve:started',
      'resolve:succeeded',
      'plan:succeeded',
      'pull:started',
      'pull:succeeded',
      'infrastructure:started',
      'infrastructure:succeeded',
      'stateful:started',
      'stateful:succeeded',
      'start:started',
      'start:succeeded',
      'health:started',
      'health:succeeded',
      'start:started',
      'start:succeeded',
      'health:started',
      'health:succeeded',
      'switch:started',
      'switch:succeeded',
      'release:succeeded',
      'done:succeeded',
    ]);
    const layer = w.events.events.find((e) => e.step === 'pull' && e.data?.layer);
    expect(layer?.data).toMatchObject({ status: 'Downloading', current: 50, total: 100 });
  });
});

describe('upgrade', () => {
  it('starts green under colour aliases only, switches after health, then retires blue gracefully', async () => {
    const w = await deployed('1.0.0');
    w.docker.calls.length = 0;
    const result = await deploy(w, { version: '2.0.0' });

    expect(result.color).toBe('green');
    expect(w.project.colorFile).toBe('green');
    expect(w.project.previousVersion).toBe('1.0.0');
    expect(w.docker.aliasViolations).toEqual([]);
    // Stateful services are running, so they are left alone.
    expect(w.docker.calls.some((c) => /acme-(db|proxy|convex)$/.test(c))).toBe(false);
    const calls = w.docker.calls;
    const lastSwitch = calls.lastIndexOf('connect acme-platform-green platform,platform-green');
    const firstRetire = calls.indexOf('stop acme-platform-blue 30');
    expect(lastSwitch).toBeGreaterThan(calls.indexOf('start acme-platform-green'));
    expect(firstRetire).toBeGreaterThan(lastSwitch);
    // Graceful stop with DRAIN_TIMEOUT as the grace, then removal, for every blue container.
    for (const name of colorNames('blue')) {
      expect(w.docker.callsFor(name)).toEqual([`stop ${name} 30`, `remove ${name}`]);
    }
    expect([...w.docker.containers.keys()].sort()).toEqual(
      ['acme-convex', 'acme-db', 'acme-proxy', ...colorNames('green')].sort(),
    );
    // The old platform goes first so the proxy re-dials while backends still answer.
    expect(firstRetire).toBeLessThan(calls.indexOf('stop acme-rag-blue 30'));
  });

  it('records the previous version only after the colour file, and only on success', async () => {
    const w = await deployed('1.0.0');
    w.project.writes.length = 0;
    await deploy(w, { version: '2.0.0' });
    expect(w.project.writes).toEqual(['lock deploy 2.0.0', 'color green', 'previous 1.0.0', 'release 2.0.0']);
  });

  it('with all, recreates the stateful services too', async () => {
    const w = await deployed('1.0.0');
    w.docker.calls.length = 0;
    await deploy(w, { version: '2.0.0', all: true });
    expect(w.docker.callsFor('acme-db')).toEqual(['stop acme-db 60', 'remove acme-db', 'create acme-db', 'start acme-db']);
  });

  it('recreates a stateful service that is not running, and leaves the running ones', async () => {
    const w = await deployed('1.0.0');
    await w.docker.stopContainer('acme-proxy', 10);
    w.docker.calls.length = 0;
    await deploy(w, { version: '2.0.0' });
    expect(w.docker.callsFor('acme-proxy')).toEqual(['remove acme-proxy', 'create acme-proxy', 'start acme-proxy']);
    expect(w.docker.callsFor('acme-db')).toEqual([]);
  });
});

describe('images already on the host', () => {
  it('pulls nothing whose digest is here, says so with the pre-pull time, and still pulls the rest', async () => {
    const w = await deployed('1.0.0');
    const plan = await planDeploy(w, { version: '2.0.0' });
    const images = plan.steps.flatMap((s) => (s.action === 'pull' ? [s.image] : []));
    expect(images).toHaveLength(3);
    // The background pre-pull fetched two of them; the third (crawler) is not here yet.
    const [platform, rag] = [images.find((i) => i.includes('tale-platform:'))!, images.find((i) => i.includes('tale-rag:'))!];
    for (const ref of [platform, rag]) await w.docker.pullImage(ref, () => {});
    w.docker.calls.length = 0;
    w.events.events.length = 0;
    const at = '2026-12-03T10:15:00.000Z';
    await deploy(w, { version: '2.0.0', prePulled: new Map([[platform.slice(platform.indexOf('@') + 1), at]]) });

    expect(w.docker.calls.filter((c) => c.startsWith('pull '))).toEqual([`pull ${images.find((i) => i.includes('tale-crawler:'))}`]);
    const said = w.events.events.filter((e) => e.step === 'pull' && e.status === 'progress' && !e.data?.layer).map((e) => e.data);
    expect(said).toEqual(
      expect.arrayContaining([
        { image: platform, status: 'present', prePulledAt: at },
        { image: rag, status: 'present' },
        expect.objectContaining({ status: 'pulled' }),
      ]),
    );
    expect(said.filter((d) => d?.status === 'pulling')).toHaveLength(1);
  });

  it('pulls an image named without a digest every time (a tag may move)', async () => {
    const w = fakeWorld();
    expect(await w.docker.imagePresent('r/tale-rag:1.0.0')).toBe(false);
    await w.docker.pullImage('r/tale-rag:1.0.0', () => {});
    expect(await w.docker.imagePresent('r/tale-rag:1.0.0')).toBe(false);
    await w.docker.pullImage('r/tale-rag:1.0.0@sha256:abc', () => {});
    expect(await w.docker.imagePresent('r/tale-rag:9.9.9@sha256:abc')).toBe(true);
    expect(await w.docker.imagePresent('other/tale-rag:1.0.0@sha256:abc')).toBe(false);
  });
});

describe('failed health gate', () => {
  async function failing(kind: 'never-healthy' | 'exits' | 'restarts' | 'unhealthy' | 'unhealthy-then-healthy') {
    const w = await deployed('1.0.0', '2.0.0'); // green live, previous = 1.0.0
    w.docker.calls.length = 0;
    w.project.writes.length = 0;
    w.events.events.length = 0;
    w.docker.behaviourFor = (spec) => {
      if (spec.name !== 'acme-rag-blue') return { kind: 'healthy', afterPolls: 1 };
      if (kind === 'exits') return { kind: 'exits', afterPolls: 2, exitCode: 3 };
      if (kind === 'restarts') return { kind: 'restarts', afterPolls: 2 };
      if (kind === 'unhealthy') return { kind: 'unhealthy', afterPolls: 3 };
      if (kind === 'unhealthy-then-healthy') return { kind: 'unhealthy', afterPolls: 3, recoversAfterPolls: 10 };
      return { kind: 'never-healthy' };
    };
    const started = w.clock.now();
    const error = await deploy(w, { version: '3.0.0' }).then(
      () => null,
      (e: unknown) => e,
    );
    return { w, error, elapsed: w.clock.elapsedSince(started) };
  }

  it('removes the target at once, keeps the live colour, attaches 50 log lines, keeps the previous version', async () => {
    const { w, error, elapsed } = await failing('never-healthy');

    expect(error).toBeInstanceOf(HealthGateError);
    const gate = error as HealthGateError;
    expect(gate.code).toBe('HEALTH_CHECK_TIMEOUT');
    expect(gate.container).toBe('acme-rag-blue');
    expect(gate.logs).toHaveLength(50);
    expect(gate.logs.at(-1)).toEqual({ stream: 'stderr', text: 'acme-rag-blue line 80' });
    expect(gate.logs.some((l) => l.stream === 'stdout')).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(120_000);

    for (const name of colorNames('blue')) expect(w.docker.containers.has(name)).toBe(false);
    for (const name of colorNames('green')) {
      expect(w.docker.callsFor(name)).toEqual([]);
      expect(w.docker.containers.get(name)?.running).toBe(true);
    }
    expect(w.project.colorFile).toBe('green');
    expect(w.project.previousVersion).toBe('1.0.0');
    expect(w.project.writes).toEqual(['lock deploy 3.0.0']);
    expect(w.project.lockHeld).toBe(false);
    expect(w.docker.aliasViolations).toEqual([]);
    // Platform never started: its dependencies did not pass.
    expect(w.docker.calls).not.toContain('start acme-platform-blue');

    const failed = w.events.events.find((e) => e.status === 'failed');
    expect(failed).toMatchObject({ step: 'health', data: { code: 'HEALTH_CHECK_TIMEOUT', container: 'acme-rag-blue', targetRemoved: true } });
    expect((failed?.data?.logs as unknown[]).length).toBe(50);
  });

  it('fails fast when a container exits', async () => {
    const { w, error, elapsed } = await failing('exits');
    expect((error as HealthGateError).code).toBe('CONTAINER_EXITED');
    expect((error as HealthGateError).message).toContain('code 3');
    expect(elapsed).toBeLessThan(10_000);
    for (const name of colorNames('blue')) expect(w.docker.containers.has(name)).toBe(false);
    for (const name of colorNames('green')) expect(w.docker.callsFor(name)).toEqual([]);
  });

  it('fails fast when a container restarts', async () => {
    const { error, elapsed } = await failing('restarts');
    expect((error as HealthGateError).code).toBe('CONTAINER_RESTARTED');
    expect(elapsed).toBeLessThan(10_000);
  });

  it('fails once Docker has reported unhealthy for the grace, long before the timeout', async () => {
    const { w, error, elapsed } = await failing('unhealthy');
    expect((error as HealthGateError).code).toBe('CONTAINER_UNHEALTHY');
    const grace = engineSettings({}).unhealthyGraceMs;
    expect(elapsed).toBeGreaterThanOrEqual(grace);
    expect(elapsed).toBeLessThan(grace + 10_000);
    for (const name of colorNames('blue')) expect(w.docker.containers.has(name)).toBe(false);
  });

  it('carries on when an unhealthy container passes a probe again within the grace', async () => {
    const { w, error } = await failing('unhealthy-then-healthy');
    expect(error).toBeNull();
    expect(w.project.colorFile).toBe('blue');
  });

  it('a plain rollback after a failed deploy still goes to the version before the live one', async () => {
    const { w } = await failing('never-healthy');
    w.docker.behaviourFor = () => ({ kind: 'healthy', afterPolls: 1 });
    const result = await rollback(w);
    expect(result.version).toBe('1.0.0');
  });
});

describe('health gate timing', () => {
  it('waits for rag and crawler together, then platform', async () => {
    const w = await deployed('1.0.0');
    w.docker.behaviourFor = (spec) => ({ kind: 'healthy', afterPolls: spec.service === 'platform' ? 1 : 6 });
    const started = w.clock.now();
    await deploy(w, { version: '2.0.0' });
    // 1 s polls; each of rag and crawler needs ~5 polls. One after the other would be ~10 s.
    expect(w.clock.elapsedSince(started)).toBeLessThan(7_000);
    expect(w.clock.elapsedSince(started)).toBeGreaterThanOrEqual(4_000);
    const calls = w.docker.calls;
    expect(calls.indexOf('start acme-platform-green')).toBeGreaterThan(calls.indexOf('start acme-crawler-green'));
  });
});

describe('lost or corrupt state file', () => {
  it.each([
    ['missing', null],
    ['corrupt', 'purple\n'],
    ['wrong', 'green'],
  ])('%s: derives blue from the running containers and never removes it before the switch', async (_label, text) => {
    const w = await deployed('1.0.0');
    w.project.colorFile = text;
    w.docker.calls.length = 0;
    const result = await deploy(w, { version: '2.0.0' });

    expect(result.color).toBe('green');
    expect(result.plan.activeSource).toBe('docker');
    expect(result.warnings.length).toBeGreaterThan(0);
    const firstBlueTouch = w.docker.calls.findIndex((c) => /-blue( |$)/.test(c));
    expect(w.docker.calls[firstBlueTouch]).toBe('stop acme-platform-blue 30');
    expect(firstBlueTouch).toBeGreaterThan(w.docker.calls.indexOf('connect acme-platform-green platform,platform-green'));
    // Stateful containers are running: not treated as a first deploy.
    expect(w.docker.calls.some((c) => /acme-(db|proxy|convex)$/.test(c))).toBe(false);
    expect(w.project.colorFile).toBe('green');
  });

  it('refuses when both colours run and nothing tells which is live, removing nothing', async () => {
    const w = await deployed('1.0.0');
    // A second colour running beside blue with the same aliases, as a CLI drain leaves it.
    for (const name of colorNames('blue')) {
      const c = w.docker.containers.get(name);
      if (c) w.docker.containers.set(name.replace('blue', 'green'), { ...c, id: `${c.id}g`, name: name.replace('blue', 'green') });
    }
    w.project.colorFile = null;
    w.docker.calls.length = 0;
    await expect(deploy(w, { version: '2.0.0' })).rejects.toMatchObject({ code: 'ACTIVE_COLOR_AMBIGUOUS' });
    expect(w.docker.calls).toEqual([]);
    expect(w.project.lockHeld).toBe(false);
  });
});

describe('leftovers', () => {
  it('removes leftovers of the target colour before starting it', async () => {
    const w = await deployed('1.0.0', '2.0.0'); // green live
    // A leftover blue rag from an earlier failed CLI deploy.
    const rag = w.docker.containers.get('acme-rag-green');
    if (!rag) throw new Error('fixture');
    w.docker.containers.set('acme-rag-blue', { ...rag, id: 'stale', name: 'acme-rag-blue', labels: { ...rag.labels, 'com.docker.compose.project': 'acme-blue' } });
    w.docker.calls.length = 0;
    await deploy(w, { version: '3.0.0' });
    expect(w.docker.callsFor('acme-rag-blue').slice(0, 3)).toEqual(['stop acme-rag-blue 30', 'remove acme-rag-blue', 'create acme-rag-blue']);
  });

  it('a leftover without the shared names is removed at once; one that still holds them is drained first', async () => {
    const w = await deployed('1.0.0', '2.0.0'); // green live
    const rag = w.docker.containers.get('acme-rag-green');
    if (!rag) throw new Error('fixture');
    w.docker.containers.set('acme-rag-blue', { ...rag, id: 'c1', name: 'acme-rag-blue', networks: { acme_internal: ['rag-blue'] } });
    w.docker.containers.set('acme-platform-blue', { ...rag, id: 'c2', name: 'acme-platform-blue', networks: { acme_internal: ['platform', 'platform-blue'] } });
    w.docker.calls.length = 0;
    await deploy(w, { version: '3.0.0' });
    expect(w.docker.callsFor('acme-rag-blue')[0]).toBe('remove acme-rag-blue');
    expect(w.docker.callsFor('acme-platform-blue').slice(0, 2)).toEqual(['stop acme-platform-blue 30', 'remove acme-platform-blue']);
  });
});

describe('cancellation', () => {
  it('cancelled during the health wait removes the target and keeps the live colour', async () => {
    const w = await deployed('1.0.0');
    const abort = new AbortController();
    w.docker.behaviourFor = () => ({ kind: 'never-healthy' });
    const sleep = w.clock.sleep.bind(w.clock);
    let sleeps = 0;
    w.clock.sleep = async (ms, signal) => {
      if (++sleeps === 3) abort.abort();
      return sleep(ms, signal);
    };
    w.docker.calls.length = 0;
    await expect(deploy(w, { version: '2.0.0', signal: abort.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    for (const name of colorNames('green')) expect(w.docker.containers.has(name)).toBe(false);
    for (const name of colorNames('blue')) expect(w.docker.callsFor(name)).toEqual([]);
    expect(w.project.colorFile).toBe('blue');
  });
});

describe('dry run', () => {
  it('returns the exact ordered plan and changes nothing', async () => {
    const w = await deployed('1.0.0');
    w.docker.calls.length = 0;
    w.project.writes.length = 0;
    const before = JSON.stringify([...w.docker.containers.entries()].map(([k, c]) => [k, { ...c, polls: 0 }]));

    const plan = await planDeploy(w, { version: '2.0.0' });

    expect(w.docker.calls).toEqual([]);
    expect(w.project.writes).toEqual([]);
    expect(JSON.stringify([...w.docker.containers.entries()].map(([k, c]) => [k, { ...c, polls: 0 }]))).toBe(before);
    expect(plan.activeColor).toBe('blue');
    expect(plan.targetColor).toBe('green');
    const outline = plan.steps.map((s) => {
      if (s.action === 'pull') return `pull ${s.image.split('/').pop()?.split('@')[0]}`;
      if (s.action === 'ensure-volumes') return 'ensure-volumes';
      if (s.action === 'ensure-network') return `ensure-network ${s.network}`;
      if (s.action === 'wait-healthy') return `wait ${s.containers.join(',')}`;
      if (s.action === 'switch') return `switch ${s.container} ${s.aliases.join(',')}`;
      if (s.action === 'write-state') return `write-state ${s.color} previous=${s.previousVersion}`;
      if (s.action === 'retire') return `retire ${s.container} ${s.graceSeconds}`;
      if (s.action === 'create') return `create ${s.container} ${s.aliases.join(',')}`;
      return `${s.action} ${'container' in s ? s.container : ''}`;
    });
    expect(outline).toEqual([
      'pull tale-rag:2.0.0',
      'pull tale-crawler:2.0.0',
      'pull tale-platform:2.0.0',
      'ensure-volumes',
      'ensure-network acme_internal',
      'create acme-rag-green rag-green',
      'start acme-rag-green',
      'create acme-crawler-green crawler-green',
      'start acme-crawler-green',
      'wait acme-rag-green,acme-crawler-green',
      'create acme-platform-green platform-green',
      'start acme-platform-green',
      'wait acme-platform-green',
      'switch acme-rag-green rag,rag-green',
      'switch acme-crawler-green crawler,crawler-green',
      'switch acme-platform-green platform,platform-green',
      'write-state green previous=1.0.0',
      'retire acme-platform-blue 30',
      'retire acme-rag-blue 30',
      'retire acme-crawler-blue 30',
    ]);
  });

  it('executing a deploy performs the steps its plan listed', async () => {
    const w = await deployed('1.0.0');
    w.docker.calls.length = 0;
    const result = await deploy(w, { version: '2.0.0' });
    const planned = result.plan.steps.filter((s) => s.action === 'create').map((s) => `create ${s.container}`);
    expect(w.docker.calls.filter((c) => c.startsWith('create '))).toEqual(planned);
  });
});

describe('rollback', () => {
  it('goes back to the previous version on the other colour and toggles the previous version', async () => {
    const w = await deployed('1.0.0', '2.0.0'); // green runs 2.0.0, previous 1.0.0
    w.docker.calls.length = 0;
    const result = await rollback(w);

    expect(result).toMatchObject({ version: '1.0.0', color: 'blue', previousVersion: '2.0.0' });
    expect(w.project.colorFile).toBe('blue');
    expect(w.project.previousVersion).toBe('2.0.0');
    expect(w.docker.containers.get('acme-platform-blue')?.labels['io.tale.console.version']).toBe('1.0.0');
    for (const name of colorNames('green')) expect(w.docker.containers.has(name)).toBe(false);
    // A rollback never touches db, proxy or convex.
    expect(w.docker.calls.some((c) => /acme-(db|proxy|convex)$/.test(c))).toBe(false);
  });

  it('rolls to a chosen version, stripping a leading v', async () => {
    const w = await deployed('1.0.0', '2.0.0');
    const result = await rollback(w, { version: 'v3.0.0' });
    expect(result.version).toBe('3.0.0');
  });

  it('refuses without a previous version or without a live deployment', async () => {
    const w = await deployed('1.0.0');
    await expect(rollback(w)).rejects.toMatchObject({ code: 'NO_PREVIOUS_VERSION' });
    const empty = fakeWorld();
    await expect(rollback(empty, { version: '1.0.0' })).rejects.toMatchObject({ code: 'NO_ACTIVE_DEPLOYMENT' });
    expect(empty.project.lockHeld).toBe(false);
  });
});

describe('lock', () => {
  it('refuses while another operation holds the lock, touching nothing', async () => {
    const w = fakeWorld();
    w.project.lockHeld = true;
    await expect(deploy(w, { version: '1.0.0' })).rejects.toMatchObject({ code: 'LOCK_HELD' });
    expect(w.docker.calls).toEqual([]);
    expect(w.events.outline()).toEqual(['lock:started', 'lock:failed']);
  });

  it('an unknown version fails before anything changes, and releases the lock', async () => {
    const w = fakeWorld();
    await expect(deploy(w, { version: '9.9.9' })).rejects.toMatchObject({ code: 'REGISTRY_TAG_NOT_FOUND' });
    expect(w.docker.calls).toEqual([]);
    expect(w.project.lockHeld).toBe(false);
    expect(w.events.outline()).toEqual(['lock:started', 'lock:succeeded', 'resolve:started', 'plan:failed']);
  });
});
