import { describe, expect, it } from 'vitest';
import { deploy } from './deploy';
import { planReconcile, reconcile } from './reconcile';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

const NET = 'acme_internal';
const SERVICES = ['platform', 'rag', 'crawler'] as const;
const names = (c: 'blue' | 'green') => SERVICES.map((s) => `acme-${s}-${c}`);
const rotatable = (w: FakeWorld) => [...w.docker.containers.keys()].filter((n) => /-(platform|rag|crawler)-/.test(n)).sort();
const tick = () => new Promise((r) => setTimeout(r, 0));
const never = <T>() => new Promise<T>(() => {});

/**
 * Starts a deploy and freezes it for good at the first call `hangs` picks: what a SIGKILL leaves.
 * The dead process's lock stays behind, stale.
 */
async function killedDuring(w: FakeWorld, version: string, hangs: (call: string, w: FakeWorld) => boolean): Promise<void> {
  const d = w.docker;
  for (const method of ['ensureVolumes', 'startContainer', 'stopContainer', 'removeContainer', 'connectNetwork', 'renameContainer'] as const) {
    const original = d[method].bind(d) as (...args: unknown[]) => Promise<unknown>;
    (d as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
      hangs(`${method} ${method === 'connectNetwork' ? String(args[1]) : typeof args[0] === 'string' ? args[0] : 'volumes'}`, w) ? never() : original(...args);
  }
  const sleep = w.clock.sleep.bind(w.clock);
  w.clock.sleep = (ms, signal) => (hangs('sleep', w) ? never() : sleep(ms, signal));
  const writeColor = w.project.writeDeploymentColor.bind(w.project);
  w.project.writeDeploymentColor = (c) => (hangs(`write-color ${c}`, w) ? never() : writeColor(c));
  void deploy(w, { version });
  for (let i = 0; i < 200; i++) await tick();
  // The process is gone: its lock file stays, and now reads as stale.
  w.project.lockHeld = false;
  w.project.foreignLock = { state: 'held', holder: { pid: 4242, startedAt: '2026-01-01T00:00:00Z', command: `deploy ${version}` }, stale: true };
}

/** A world where v1 runs on blue, with ports that behave normally again after the "restart". */
async function liveOnBlue(): Promise<FakeWorld> {
  const w = fakeWorld();
  await deploy(w, { version: '1.0.0' });
  return w;
}

function restarted(w: FakeWorld): FakeWorld {
  const fresh = fakeWorld();
  // Same Docker contents and project files, fresh (unpatched) methods: a new process.
  for (const [k, v] of w.docker.containers) fresh.docker.containers.set(k, v);
  fresh.project.colorFile = w.project.colorFile;
  fresh.project.previousVersion = w.project.previousVersion;
  fresh.project.foreignLock = w.project.foreignLock;
  return fresh;
}

async function expectReconciledTo(w: FakeWorld, color: 'blue' | 'green', version: string): Promise<void> {
  expect(rotatable(w)).toEqual(names(color).sort());
  for (const n of names(color)) {
    const c = w.docker.containers.get(n);
    expect(c?.running).toBe(true);
    expect(c?.networks[NET]).toEqual([n.split('-')[1], `${n.split('-')[1]}-${color}`]);
    expect(c?.labels['io.tale.console.version']).toBe(version);
  }
  expect(w.project.colorFile).toBe(color);
  expect(w.project.foreignLock).toEqual({ state: 'absent' });
  // Nothing reconciled needs doing twice, and the next deploy runs normally.
  expect((await planReconcile(w)).actions).toEqual([]);
  const next = await deploy(w, { version: '3.0.0' });
  expect(next.color).toBe(color === 'blue' ? 'green' : 'blue');
}

describe('reconcile after a deploy killed at each step (v1 live on blue, v2 going to green)', () => {
  it('after the pull: only the stale lock is left, and it is released', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'ensureVolumes volumes');
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.lockReleased).toBe(true);
    expect(result.actions).toEqual([]);
    await expectReconciledTo(r, 'blue', '1.0.0');
  });

  it('after the target started: the half-created green goes at once, blue is never touched', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'startContainer acme-platform-green');
    expect(w.docker.containers.has('acme-rag-green')).toBe(true);
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('blue');
    expect(result.actions.map((a) => a.action)).toEqual(['remove', 'remove', 'remove']);
    for (const n of names('blue')) expect(r.docker.callsFor(n)).toEqual([]);
    await expectReconciledTo(r, 'blue', '1.0.0');
  });

  it('during the health wait: the unhealthy candidates are removed', async () => {
    const w = await liveOnBlue();
    w.docker.behaviourFor = (spec) => (spec.name.endsWith('-green') ? { kind: 'healthy', afterPolls: 50 } : { kind: 'healthy', afterPolls: 1 });
    await killedDuring(w, '2.0.0', (call, world) => call === 'sleep' && world.docker.calls.includes('start acme-crawler-green'));
    const r = restarted(w);
    await reconcile(r);
    await expectReconciledTo(r, 'blue', '1.0.0');
  });

  it('after the switch and the state write: the old blue is retired gracefully, green stays', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'stopContainer acme-platform-blue');
    expect(w.project.colorFile).toBe('green');
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('green');
    expect(result.actions).toEqual(
      names('blue').map((container) => expect.objectContaining({ action: 'retire', container, graceSeconds: 30 })),
    );
    expect(r.docker.calls.filter((c) => c.startsWith('stop '))).toContain('stop acme-platform-blue 30');
    await expectReconciledTo(r, 'green', '2.0.0');
  });

  it('between the switch and the state write: the state file keeps blue, the switched green is drained', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'write-color green');
    expect(w.project.colorFile).toBe('blue');
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('blue');
    expect(result.actions.every((a) => a.action === 'retire')).toBe(true);
    await expectReconciledTo(r, 'blue', '1.0.0');
  });

  it('midway through the switch: green holds some shared names, blue all; green is drained', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'connectNetwork acme-crawler-green');
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('blue');
    expect(result.actions.find((a) => 'container' in a && a.container === 'acme-rag-green')?.action).toBe('retire');
    await expectReconciledTo(r, 'blue', '1.0.0');
  });

  it('during the retire: the stopped old platform and its backends go, green stays', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'removeContainer acme-platform-blue');
    expect(w.docker.containers.get('acme-platform-blue')?.running).toBe(false);
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('green');
    expect(result.actions.find((a) => 'container' in a && a.container === 'acme-platform-blue')?.action).toBe('remove');
    await expectReconciledTo(r, 'green', '2.0.0');
  });
});

describe('reconcile in other states', () => {
  it('a first deploy killed before the switch leaves no colour: its candidates are removed, stateful kept', async () => {
    const w = fakeWorld();
    await killedDuring(w, '1.0.0', (call) => call === 'startContainer acme-platform-blue');
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBeNull();
    expect(rotatable(r)).toEqual([]);
    expect(r.docker.containers.has('acme-db')).toBe(true);
    expect(r.project.colorFile).toBeNull();
  });

  it('an in-place update killed after its switch: the -next replacement is drained, the live one stays', async () => {
    const w = await liveOnBlue();
    const d = w.docker;
    const rename = d.renameContainer.bind(d);
    d.renameContainer = () => never();
    void deploy(w, { version: '2.0.0', services: ['rag'] });
    for (let i = 0; i < 200; i++) await tick();
    d.renameContainer = rename;
    expect(w.docker.containers.get('acme-rag-blue-next')?.networks[NET]).toContain('rag');
    w.project.lockHeld = false;
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.actions).toEqual([expect.objectContaining({ action: 'retire', container: 'acme-rag-blue-next' })]);
    expect(rotatable(r)).toEqual(names('blue').sort());
  });

  it('an in-place update killed between its two renames: the switched replacement takes the real name, the old one is drained', async () => {
    const w = await liveOnBlue();
    const d = w.docker;
    const rename = d.renameContainer.bind(d);
    // The old rag is renamed aside; the process dies before the replacement gets the real name.
    d.renameContainer = (from, to) => (from === 'acme-rag-blue-next' ? never() : rename(from, to));
    void deploy(w, { version: '2.0.0', services: ['rag'] });
    for (let i = 0; i < 200; i++) await tick();
    d.renameContainer = rename;
    expect(w.docker.containers.has('acme-rag-blue')).toBe(false);
    expect(w.docker.containers.get('acme-rag-blue-retiring')?.running).toBe(true);
    w.project.lockHeld = false;
    const r = restarted(w);
    const result = await reconcile(r);
    expect(result.liveColor).toBe('blue');
    expect(result.actions).toEqual([
      expect.objectContaining({ action: 'rename', container: 'acme-rag-blue-next', to: 'acme-rag-blue' }),
      expect.objectContaining({ action: 'retire', container: 'acme-rag-blue-retiring' }),
    ]);
    expect(rotatable(r)).toEqual(names('blue').sort());
    expect(r.docker.containers.get('acme-rag-blue')?.labels['io.tale.console.version']).toBe('2.0.0');
    expect(r.docker.containers.get('acme-platform-blue')?.labels['io.tale.console.version']).toBe('1.0.0');
    expect((await planReconcile(r)).actions).toEqual([]);
  });

  it('a lost state file is rewritten from the colour that serves', async () => {
    const w = await liveOnBlue();
    w.project.colorFile = null;
    const result = await reconcile(w);
    expect(result.actions).toEqual([expect.objectContaining({ action: 'write-state', color: 'blue' })]);
    expect(w.project.colorFile).toBe('blue');
  });

  it('a stack still starting (after a reboot) is left alone', async () => {
    const w = await liveOnBlue();
    for (const n of names('blue')) {
      const c = w.docker.containers.get(n)!;
      c.health = 'starting';
      c.behaviour = { kind: 'never-healthy' };
    }
    const result = await reconcile(w);
    expect(result.liveColor).toBe('blue');
    expect(result.actions).toEqual([]);
  });

  it('without a state file, a colour that is not healthy yet is not called live, and nothing serving is touched', async () => {
    const w = await liveOnBlue();
    w.project.colorFile = null;
    for (const n of names('blue')) w.docker.containers.get(n)!.behaviour = { kind: 'never-healthy' };
    for (const n of names('blue')) w.docker.containers.get(n)!.health = 'starting';
    const result = await reconcile(w);
    expect(result.liveColor).toBeNull();
    expect(result.actions).toEqual([expect.objectContaining({ action: 'write-state', color: 'blue' })]);
    expect(result.warnings.join(' ')).toMatch(/blue is not fully running/);
    expect(rotatable(w)).toEqual(names('blue').sort());
  });

  it('after the switch, a health blip of the new colour does not undo it', async () => {
    const w = await liveOnBlue();
    await killedDuring(w, '2.0.0', (call) => call === 'stopContainer acme-platform-blue');
    const r = restarted(w);
    const rag = r.docker.containers.get('acme-rag-green')!;
    rag.health = 'unhealthy';
    rag.behaviour = { kind: 'unhealthy', afterPolls: 0 };
    const result = await reconcile(r);
    expect(result.liveColor).toBe('green');
    expect(rotatable(r)).toEqual(names('green').sort());
  });

  it('a live lock holder (a CLI deploy running now) or a corrupt lock: nothing is changed', async () => {
    for (const lock of [
      { state: 'held', holder: { pid: 77, startedAt: '2026-01-01T00:00:00Z', command: 'deploy 2.0.0' }, stale: false } as const,
      { state: 'corrupt' } as const,
    ]) {
      const w = await liveOnBlue();
      await killedDuring(w, '2.0.0', (call) => call === 'startContainer acme-platform-green');
      w.project.foreignLock = lock;
      const before = w.docker.calls.length;
      const result = await reconcile(w);
      expect(result.skipped).toBe(true);
      expect(w.docker.calls.length).toBe(before);
      expect(w.project.foreignLock).toBe(lock);
    }
  });
});
