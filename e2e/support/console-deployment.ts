import fs from 'node:fs';
import path from 'node:path';
import { createDeployment, type Deployment, type DeploymentOptions } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { pushImages, startRegistry, type ImageRef, type Registry } from '../fixtures/registry';
import { publishProxyOnLoopback } from './loopback-proxy';
import { e2eDataDir } from './paths';

export interface ConsoleDeployment {
  registry: Registry;
  deployment: Deployment;
  /** Where the proxy publishes (loopback ports, never 80/443). */
  ports: { http: number; https: number };
  dispose(): Promise<void>;
}

/** The deployment directory the browser specs' console reads (DEPLOY_DIR defaults inside DATA_DIR). */
export const consoleDeployDir = path.join(e2eDataDir, 'deploy');

/**
 * A fresh project of the test bed for a console to manage: a registry holding `images`, a new
 * project id with its tale.json and .env, and the proxy published on loopback. dispose() removes
 * the project's containers and files and stops the registry.
 */
export async function prepareTestBedDeployment(images: readonly ImageRef[], opts: DeploymentOptions): Promise<ConsoleDeployment> {
  await ensureFixtureImages();
  const registry = await startRegistry();
  await pushImages(registry, images);
  const deployment = await createDeployment({ ...opts, registry: registry.host });
  const ports = await publishProxyOnLoopback(deployment.dir);
  return {
    registry,
    deployment,
    ports,
    async dispose() {
      await deployment.dispose();
      await registry.stop();
    },
  };
}

/**
 * prepareTestBedDeployment for the browser specs' console, whose deployment directory is fixed:
 * the project's tale.json, .env and loopback override are copied into it, and removed again by
 * dispose().
 */
export async function prepareConsoleDeployment(images: readonly ImageRef[], opts: DeploymentOptions): Promise<ConsoleDeployment> {
  const bed = await prepareTestBedDeployment(images, opts);
  fs.mkdirSync(consoleDeployDir, { recursive: true });
  for (const f of ['tale.json', '.env', 'compose.override.yml']) fs.copyFileSync(path.join(bed.deployment.dir, f), path.join(consoleDeployDir, f));
  return {
    ...bed,
    async dispose() {
      await bed.dispose();
      for (const f of ['tale.json', '.env', 'compose.override.yml']) fs.rmSync(path.join(consoleDeployDir, f), { force: true });
      fs.rmSync(path.join(consoleDeployDir, '.tale'), { recursive: true, force: true });
    },
  };
}
