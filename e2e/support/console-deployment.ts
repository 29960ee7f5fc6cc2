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
 * Gives the browser specs' console a fresh project of the test bed: a registry holding `images`,
 * a new project id, its tale.json and .env copied into the console's deployment directory, and the
 * proxy published on loopback. dispose() removes the project's containers and files again.
 */
export async function prepareConsoleDeployment(images: readonly ImageRef[], opts: DeploymentOptions): Promise<ConsoleDeployment> {
  await ensureFixtureImages();
  const registry = await startRegistry();
  await pushImages(registry, images);
  const deployment = await createDeployment({ ...opts, registry: registry.host });
  fs.mkdirSync(consoleDeployDir, { recursive: true });
  for (const f of ['tale.json', '.env']) fs.copyFileSync(path.join(deployment.dir, f), path.join(consoleDeployDir, f));
  const ports = await publishProxyOnLoopback(consoleDeployDir);
  return {
    registry,
    deployment,
    ports,
    async dispose() {
      await deployment.dispose();
      await registry.stop();
      for (const f of ['tale.json', '.env', 'compose.override.yml']) fs.rmSync(path.join(consoleDeployDir, f), { force: true });
      fs.rmSync(path.join(consoleDeployDir, '.tale'), { recursive: true, force: true });
    },
  };
}
