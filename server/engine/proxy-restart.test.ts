import { describe, expect, it } from 'vitest';
import { CONFIG_HASH_LABEL } from '@/server/stack/proxy-config';
import { deploy } from './deploy';
import { planDeploy } from './deploy-plan';
import { PROXY_UNCHANGED } from './proxy-restart';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

// The proxy holds the published ports: replacing it leaves the site unreachable for a moment, so
// it is replaced only when its configuration changed, and then with nothing between the old
// one's stop and the new one's start.

async function live(env: Record<string, string> = {}): Promise<FakeWorld> {
  const w = fakeWorld();
  w.project.env = { ...w.project.env, HOST: 'localhost', SITE_URL: 'https://localhost', TLS_MODE: 'selfsigned', BETTER_AUTH_SECRET: 'a'.repeat(32), ...env };
  await deploy(w, { version: '1.0.0' });
  w.docker.calls.length = 0;
  return w;
}

const proxyCalls = (w: FakeWorld) => w.docker.calls.filter((c) => / acme-proxy(-retiring)?( |$)/.test(c));

/** The prepared replacement: renamed aside while serving, new one created, then stop and start back to back. */
const REPLACED = [
  'rename acme-proxy acme-proxy-retiring',
  'create acme-proxy',
  'stop acme-proxy-retiring 10',
  'start acme-proxy',
  'remove acme-proxy-retiring',
];

describe('a deploy with infrastructure', () => {
  it('leaves a proxy whose configuration did not change running, and says so', async () => {
    const w = await live();
    const proxyId = w.docker.containers.get('acme-proxy')?.id;
    const result = await deploy(w, { version: '1.0.0', all: true });

    expect(proxyCalls(w)).toEqual([]);
    expect(w.docker.containers.get('acme-proxy')?.id).toBe(proxyId);
    expect(result.plan.proxyRestart).toBe(false);
    expect(result.plan.warnings).toContain(PROXY_UNCHANGED);
    // db and convex are still recreated, as `all` asks.
    expect(w.docker.callsFor('acme-db')).toEqual(['stop acme-db 60', 'remove acme-db', 'create acme-db', 'start acme-db']);
  });

  it('leaves it running when only keys the proxy does not read changed', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, BETTER_AUTH_SECRET: 'b'.repeat(32), SOMETHING_NEW: 'x' };
    const plan = await planDeploy(w, { version: '1.0.0', all: true });
    expect(plan.steps.filter((s) => 'container' in s && s.container.startsWith('acme-proxy'))).toEqual([]);
    expect(plan.proxyRestart).toBe(false);
  });

  it('replaces it when a key the proxy reads changed: everything prepared before the stop, the start right after', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, TLS_MODE: 'external' };
    const result = await deploy(w, { version: '1.0.0', all: true });

    expect(result.plan.proxyRestart).toBe(true);
    expect(proxyCalls(w)).toEqual(REPLACED);
    const calls = w.docker.calls;
    expect(calls.indexOf('start acme-proxy')).toBe(calls.indexOf('stop acme-proxy-retiring 10') + 1);
    // The image was pulled before the old proxy stopped.
    expect(calls.findIndex((c) => c.startsWith('pull ') && c.includes('tale-proxy'))).toBeLessThan(calls.indexOf('stop acme-proxy-retiring 10'));
    const proxy = w.docker.containers.get('acme-proxy');
    expect(proxy?.running).toBe(true);
    expect(proxy?.labels[CONFIG_HASH_LABEL]).toMatch(/^[0-9a-f]{64}$/);
    expect(w.docker.containers.has('acme-proxy-retiring')).toBe(false);
  });

  it('replaces it for a new release (a new image), and not again on the next deploy of that release', async () => {
    const w = await live();
    await deploy(w, { version: '2.0.0', all: true });
    expect(proxyCalls(w)).toEqual(REPLACED);
    w.docker.calls.length = 0;
    await deploy(w, { version: '2.0.0', all: true });
    expect(proxyCalls(w)).toEqual([]);
  });

  it('replaces a proxy without the hash label (the CLI’s, or an older console’s) once', async () => {
    const w = await live();
    const proxy = w.docker.containers.get('acme-proxy');
    if (proxy) delete proxy.labels[CONFIG_HASH_LABEL];
    const plan = await planDeploy(w, { version: '1.0.0', all: true });
    expect(plan.proxyRestart).toBe(true);
  });

  it('removes the old proxy an interrupted replacement left aside, before creating the new one', async () => {
    const w = await live();
    // Killed between the rename and the create: the old proxy still serves under its aside name.
    await w.docker.renameContainer('acme-proxy', 'acme-proxy-retiring');
    w.docker.calls.length = 0;
    await deploy(w, { version: '1.0.0' });
    expect(proxyCalls(w)).toEqual(['stop acme-proxy-retiring 10', 'remove acme-proxy-retiring', 'create acme-proxy', 'start acme-proxy']);
  });
});

describe('an in-place update of the proxy (Apply now)', () => {
  it('does nothing to a proxy whose configuration did not change', async () => {
    const w = await live();
    const result = await deploy(w, { version: '1.0.0', services: ['proxy'] });
    expect(proxyCalls(w)).toEqual([]);
    expect(result.plan.proxyRestart).toBe(false);
    expect(result.plan.warnings).toContain(PROXY_UNCHANGED);
  });

  it('replaces it after a BASE_PATH change, and after a change compose.override.yml makes to its environment', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, BASE_PATH: '/tale' };
    const result = await deploy(w, { version: '1.0.0', services: ['proxy'] });
    expect(result.plan.proxyRestart).toBe(true);
    expect(proxyCalls(w)).toEqual(REPLACED);

    w.docker.calls.length = 0;
    w.project.override = { proxy: { environment: { CADDY_EXTRA: 'on' } } };
    await deploy(w, { version: '1.0.0', services: ['proxy'] });
    expect(proxyCalls(w)).toEqual(REPLACED);
  });

  it('a plain deploy (no infrastructure) never touches a running proxy, changed or not', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, TLS_MODE: 'external' };
    const plan = await planDeploy(w, { version: '2.0.0' });
    expect(plan.proxyRestart).toBe(false);
    expect(plan.steps.filter((s) => 'container' in s && s.container.startsWith('acme-proxy'))).toEqual([]);
  });
});

describe('a settings apply (proxy: true), one plan for the proxy and the colours', () => {
  it('replaces a proxy whose configuration changed before the colours, and leaves db and convex alone', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, BASE_PATH: '/tale' };
    const result = await deploy(w, { version: '1.0.0', proxy: true });

    expect(result.plan.proxyRestart).toBe(true);
    expect(proxyCalls(w)).toEqual(REPLACED);
    const calls = w.docker.calls;
    // In order: the proxy is serving again before the new colour is created.
    expect(calls.indexOf('start acme-proxy')).toBeLessThan(calls.indexOf('create acme-platform-green'));
    expect(w.project.colorFile).toBe('green');
    expect(w.docker.callsFor('acme-db')).toEqual([]);
    expect(w.docker.callsFor('acme-convex')).toEqual([]);
  });

  it('deploys the colours and never touches a proxy whose configuration did not change', async () => {
    const w = await live();
    w.project.env = { ...w.project.env, SOMETHING_NEW: 'x' };
    const result = await deploy(w, { version: '1.0.0', proxy: true });

    expect(result.plan.proxyRestart).toBe(false);
    expect(result.plan.warnings).toContain(PROXY_UNCHANGED);
    expect(proxyCalls(w)).toEqual([]);
    expect(w.project.colorFile).toBe('green');
  });
});
