import { describe, expect, it } from 'vitest';
import { deploy, rollback } from './deploy';
import { planDeploy } from './deploy-plan';
import { databaseUseOf } from './database-use';
import type { DeployStep } from './plan-types';
import { fakeWorld, type FakeWorld } from './test-support/fake-ports';

// Switching between the bundled db and an external server, as the plan and the executor see it:
// the bundled db stops only after the new colour is live, a failed deploy leaves it running, and
// going back starts it before the colour.

const EXTERNAL = 'postgresql://tale:s3cret@pg.example:6543';

function useExternal(w: FakeWorld): void {
  w.project.env = { ...w.project.env, POSTGRES_URL: EXTERNAL };
  w.project.override = { db: { disabled: true } };
}

function useBundled(w: FakeWorld): void {
  const env = { ...w.project.env };
  delete env.POSTGRES_URL;
  w.project.env = env;
  w.project.override = {};
}

async function onBundled(): Promise<FakeWorld> {
  const w = fakeWorld();
  await deploy(w, { version: '1.0.0' });
  w.docker.calls.length = 0;
  return w;
}

// The plan's steps as short lines (the dialog's wording lives in the services layer).
function describeStep(step: DeployStep): string {
  switch (step.action) {
    case 'wait-healthy':
      return `wait until healthy: ${step.containers.join(', ')}`;
    case 'remove':
      return `remove ${step.container} (${step.reason})`;
    case 'create':
      return `create ${step.container}`;
    case 'write-state':
      return `record ${step.color} as live`;
    case 'retire':
      return `retire ${step.container}`;
    case 'stop-database':
      return `stop the bundled database ${step.container} (its volume ${step.volume} is kept)`;
    default:
      return `${step.action} ${JSON.stringify(step)}`;
  }
}

const index = (calls: string[], call: string) => {
  const i = calls.indexOf(call);
  expect(i, call).toBeGreaterThanOrEqual(0);
  return i;
};

describe('switching to an external database', () => {
  it('plans the stop of the bundled db after the gate, the switch and the retire, and recreates convex', async () => {
    const w = await onBundled();
    useExternal(w);
    const plan = await planDeploy(w, { version: '1.0.0' });
    const lines = plan.steps.map(describeStep);
    const stop = lines.indexOf('stop the bundled database acme-db (its volume acme_db-data is kept)');
    expect(stop).toBe(lines.length - 1);
    expect(index(lines, 'wait until healthy: acme-platform-green')).toBeLessThan(stop);
    expect(index(lines, 'record green as live')).toBeLessThan(stop);
    expect(index(lines, 'retire acme-platform-blue')).toBeLessThan(stop);
    expect(lines).toContain('remove acme-convex (its database moves to external (pg.example:6543))');
    expect(plan.warnings.join(' ')).toMatch(/convex is recreated/);
    // The bundled db's volumes are neither created nor removed.
    const volumes = plan.steps.find((s) => s.action === 'ensure-volumes');
    expect(volumes).toBeDefined();
    expect(JSON.stringify(volumes)).not.toMatch(/db-data|db-backup/);
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('stops the db (container and volume kept) once the new colour is live', async () => {
    const w = await onBundled();
    useExternal(w);
    await deploy(w, { version: '1.0.0' });
    const db = w.docker.containers.get('acme-db');
    expect(db?.running).toBe(false);
    expect(w.docker.volumes.has('acme_db-data')).toBe(true);
    const calls = w.docker.calls;
    expect(calls).not.toContain('remove acme-db');
    expect(index(calls, 'stop acme-db 60')).toBeGreaterThan(index(calls, 'stop acme-platform-blue 30'));
    // Every service left runs on the external server.
    for (const name of ['acme-convex', 'acme-platform-green', 'acme-rag-green', 'acme-crawler-green']) {
      const service = name.split('-')[1] as 'convex' | 'platform' | 'rag' | 'crawler';
      expect(databaseUseOf(service, w.docker.containers.get(name)!.env), name).toEqual({ kind: 'external', host: 'pg.example', port: 6543 });
    }
  });

  it('a failed health gate leaves the bundled db running for the old colour', async () => {
    const w = await onBundled();
    useExternal(w);
    w.docker.behaviourFor = (spec) => (spec.name === 'acme-rag-green' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
    await expect(deploy(w, { version: '1.0.0' })).rejects.toMatchObject({ code: 'HEALTH_CHECK_TIMEOUT' });
    expect(w.docker.calls.some((c) => c.startsWith('stop acme-db'))).toBe(false);
    expect(w.docker.containers.get('acme-db')?.running).toBe(true);
    expect(w.docker.containers.get('acme-rag-blue')?.running).toBe(true);
  });

  it('plans no stop while convex stays on the bundled db (its environment unknown) or when no db runs', async () => {
    const w = await onBundled();
    useExternal(w);
    const convex = w.docker.containers.get('acme-convex')!;
    convex.env = { POSTGRES_URL: 'not a url' };
    expect((await planDeploy(w, { version: '1.0.0' })).steps.some((s) => s.action === 'stop-database')).toBe(false);

    const fresh = fakeWorld();
    useExternal(fresh);
    await deploy(fresh, { version: '1.0.0' });
    expect(fresh.docker.containers.has('acme-db')).toBe(false);
    expect(fresh.docker.volumes.has('acme_db-data')).toBe(false);
  });
});

describe('going back to the bundled database', () => {
  async function switchedAway(): Promise<FakeWorld> {
    const w = await onBundled();
    useExternal(w);
    await deploy(w, { version: '1.0.0' });
    useBundled(w);
    w.docker.calls.length = 0;
    return w;
  }

  it('starts the stopped db, on its kept volume, before convex and the new colour', async () => {
    const w = await switchedAway();
    const lines = (await planDeploy(w, { version: '1.0.0' })).steps.map(describeStep);
    expect(index(lines, 'wait until healthy: acme-db')).toBeLessThan(index(lines, 'create acme-rag-blue'));
    expect(lines).toContain('remove acme-db (not running)');
    expect(lines.some((l) => l.startsWith('stop the bundled database'))).toBe(false);

    await deploy(w, { version: '1.0.0' });
    const calls = w.docker.calls;
    expect(w.docker.containers.get('acme-db')?.running).toBe(true);
    expect(index(calls, 'start acme-db')).toBeLessThan(index(calls, 'start acme-convex'));
    expect(index(calls, 'start acme-convex')).toBeLessThan(index(calls, 'start acme-rag-blue'));
    expect(databaseUseOf('convex', w.docker.containers.get('acme-convex')!.env)).toEqual({ kind: 'bundled' });
  });

  it('a rollback onto the bundled db starts it too, and touches neither proxy nor convex', async () => {
    const w = fakeWorld();
    await deploy(w, { version: '1.0.0' });
    useExternal(w);
    await deploy(w, { version: '2.0.0' });
    useBundled(w);
    w.docker.calls.length = 0;
    await rollback(w);
    expect(w.docker.containers.get('acme-db')?.running).toBe(true);
    expect(index(w.docker.calls, 'start acme-db')).toBeLessThan(index(w.docker.calls, 'start acme-rag-blue'));
    expect(w.docker.calls.some((c) => /acme-(proxy|convex)$/.test(c))).toBe(false);
  });
});

describe('databaseUseOf', () => {
  it('reads host and port from the URL each service reads, and the bundled db from its defaults', () => {
    expect(databaseUseOf('convex', {})).toEqual({ kind: 'bundled' });
    expect(databaseUseOf('rag', { DB_HOST: 'db' })).toEqual({ kind: 'bundled' });
    expect(databaseUseOf('rag', { DB_HOST: 'pg.internal', DB_PORT: '6000' })).toEqual({ kind: 'external', host: 'pg.internal', port: 6000 });
    expect(databaseUseOf('platform', { POSTGRES_URL: 'postgresql://tale:x@db:5432' })).toEqual({ kind: 'bundled' });
    expect(databaseUseOf('crawler', { CRAWLER_DATABASE_URL: 'postgres://t:p%40@[fd00::5]/tale_knowledge?sslmode=require' })).toEqual({
      kind: 'external',
      host: 'fd00::5',
      port: 5432,
    });
    expect(databaseUseOf('convex', { POSTGRES_URL: 'mysql://h' })).toBeNull();
  });
});
