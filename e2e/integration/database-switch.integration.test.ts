// Switching a running stack between the bundled db and an external server, on the real test bed:
// the test bed's db image as the bundled db (Tale's init scripts, real PostgreSQL), an empty
// PostgreSQL 17 + pgvector prepared by the wizard as the external server, on the deployment's
// network. Deploy on bundled, switch the files, deploy: the bundled db is stopped with its volume
// kept and the running services say external; switch back, deploy: the db runs again with its data.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, newProjectId, removeProjectResources, type Deployment } from '@/e2e/fixtures/deployment';
import { startEmptyPostgres } from '@/e2e/fixtures/empty-postgres';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { pollUntil } from '@/e2e/fixtures/poll';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { docker as dockerCli } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION } from '@/e2e/fixtures/versions';
import { envMap } from '@/server/docker/docker-adapter';
import { testBedPorts, type TestBedPorts } from '@/server/docker/test-bed-ports';
import { deploy } from '@/server/engine/deploy';
import type { ConnectTarget } from '@/server/postgres/connection';
import { databaseInUse } from '@/server/services/bundled-database';
import { configureProject, prepareServer, testConnection, useBundledDatabase } from '@/server/services/external-database-steps';
import { localDir } from '@/server/project/file-ops';

const docker = new Docker({ socketPath: '/var/run/docker.sock', timeout: 30_000 });
const ADMIN_PASSWORD = 'adm!n p@ss:w/rd#%';

const psql = (container: string, sql: string) =>
  dockerCli(['exec', container, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', 'tale_platform', '-At', '-c', sql]);

describe('switching a running stack between the bundled and an external database', () => {
  const serverProject = newProjectId('bd-ext');
  let registry: Registry;
  let deployment: Deployment;
  let ports: TestBedPorts;
  let target: ConnectTarget;
  let db: string;
  const sources = () => ({ files: localDir(deployment.dir), project: ports.project, docker: ports.docker });
  const envOf = async (name: string) => envMap((await docker.getContainer(name).inspect()).Config.Env ?? []);
  const stepsOf = (timeline: TestBedPorts['timeline']) =>
    (timeline.find((e) => e.step === 'plan' && e.status === 'succeeded')?.data?.steps ?? []) as { action: string; container?: string; volume?: string }[];

  beforeAll(async () => {
    await ensureFixtureImages();
    registry = await startRegistry();
    await pushImages(registry, allImageRefs([GOOD_VERSION]));
    deployment = await createDeployment({ registry: registry.host, prefix: 'bd-switch', extraEnv: { HEALTH_CHECK_TIMEOUT: '120' } });
    ports = testBedPorts(docker, deployment.dir);
    db = `${deployment.id}-db`;
  }, 600_000);

  afterAll(async () => {
    // The external server first: it sits on the deployment's network.
    await removeProjectResources(serverProject);
    await deployment?.dispose();
    await registry?.stop();
  }, 180_000);

  it('runs on the bundled db after a first deploy, and keeps a row in it', async () => {
    await deploy(ports, { version: GOOD_VERSION });
    await pollUntil(() => dockerCli(['exec', db, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);
    await psql(db, "CREATE TABLE public.bd_marker (v text); INSERT INTO public.bd_marker VALUES ('written on the bundled db')");
    const state = await databaseInUse(sources());
    expect(state).toMatchObject({ inUse: { kind: 'bundled' }, pending: null, bundled: { state: 'running', volumeExists: true } });
  }, 300_000);

  it('after the files switch: still bundled in use, with the switch pending', async () => {
    const network = `${deployment.id}_internal`;
    const external = await startEmptyPostgres({ project: serverProject, name: 'pg17', adminPassword: ADMIN_PASSWORD, network });
    const ip = (await docker.getContainer(external.container).inspect()).NetworkSettings.Networks[network]!.IPAddress;
    target = { ...external.admin, host: ip, port: 5432, sslMode: 'disable' };
    await pollUntil(() => testConnection(target).then(() => true, () => false), Boolean, 60_000, 500);
    const prepared = await prepareServer(localDir(deployment.dir), target, { role: 'tale', rotatePassword: false });
    if ('refused' in prepared || !prepared.ok || !prepared.rolePassword) throw new Error('prepare failed');
    await configureProject(localDir(deployment.dir), { target, role: 'tale', rolePassword: prepared.rolePassword, apply: true });

    const state = await databaseInUse(sources());
    expect(state?.inUse).toMatchObject({ kind: 'bundled' });
    expect(state?.pending).toBe(`switches to external (${ip}:5432) at the next deploy`);
    expect(JSON.stringify(state)).not.toContain(prepared.rolePassword);
  }, 180_000);

  it('the deploy moves every service to the external server, then stops the bundled db and keeps its volume', async () => {
    ports.timeline.length = 0;
    await deploy(ports, { version: GOOD_VERSION });
    const steps = stepsOf(ports.timeline);
    expect(steps.at(-1)).toEqual({ phase: 'retire', action: 'stop-database', container: db, volume: `${deployment.id}_db-data`, graceSeconds: 60 });

    const info = await docker.getContainer(db).inspect();
    expect(info.State.Running).toBe(false);
    await expect(docker.getVolume(`${deployment.id}_db-data`).inspect()).resolves.toBeTruthy();
    expect(new URL((await envOf(`${deployment.id}-convex`)).POSTGRES_URL!).hostname).toBe(target.host);

    const state = await databaseInUse(sources());
    expect(state).toMatchObject({
      inUse: { kind: 'external', host: target.host, port: 5432 },
      pending: null,
      bundled: { state: 'stopped', volumeExists: true, removalBlocked: null },
    });
    expect(state?.services.map((s) => s.use?.kind)).toEqual(['external', 'external', 'external', 'external']);
  }, 300_000);

  it('going back: the deploy starts the bundled db before the colour, on its volume, with the data intact', async () => {
    await useBundledDatabase(localDir(deployment.dir));
    expect((await databaseInUse(sources()))?.pending).toBe('switches to bundled (db container) at the next deploy');
    ports.timeline.length = 0;
    await deploy(ports, { version: GOOD_VERSION });
    const steps = stepsOf(ports.timeline);
    const dbHealthy = steps.findIndex((s) => s.action === 'wait-healthy' && JSON.stringify(s).includes(db));
    const firstColour = steps.findIndex((s) => s.action === 'create' && /-(blue|green)$/.test(s.container ?? ''));
    expect(dbHealthy).toBeGreaterThanOrEqual(0);
    expect(dbHealthy).toBeLessThan(firstColour);

    expect((await docker.getContainer(db).inspect()).State.Running).toBe(true);
    await pollUntil(() => dockerCli(['exec', db, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);
    expect((await psql(db, 'SELECT v FROM public.bd_marker')).stdout.trim()).toBe('written on the bundled db');
    const state = await databaseInUse(sources());
    expect(state).toMatchObject({ inUse: { kind: 'bundled' }, pending: null, bundled: { state: 'running' } });
  }, 300_000);
});
