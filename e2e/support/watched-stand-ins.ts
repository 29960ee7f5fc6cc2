import fs from 'node:fs';
import path from 'node:path';
import { runContainer, waitForHealth } from '../fixtures/containers';
import type { Deployment } from '../fixtures/deployment';
import { fastHealthCheck } from '../fixtures/health-checks';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, localImage } from '../fixtures/versions';

// Two of a project's containers for the health watcher's tests: the platform and rag stand-ins,
// labelled as compose labels the live blue colour, healthy, in seconds and without a registry or
// a deploy. The watcher cannot tell them from a deployed stack's.

export type WatchedStandIns = { platform: string; rag: string };

/** Runs them in `deployDir` (a copy of the deployment's files, or its own directory) and waits until both are healthy. */
export async function startWatchedStandIns(deployment: Deployment, deployDir = deployment.dir, env: Record<string, string> = {}): Promise<WatchedStandIns> {
  // Blue is the live colour: otherwise the console's start-up reconcile removes a colour that is
  // not whole (these are two of its six containers) as a half-created candidate.
  fs.mkdirSync(path.join(deployDir, '.tale'), { recursive: true });
  fs.writeFileSync(path.join(deployDir, '.tale', 'deployment-color'), 'blue\n');
  const names = { platform: `${deployment.id}-platform-blue`, rag: `${deployment.id}-rag-blue` };
  for (const service of ['platform', 'rag'] as const) {
    await runContainer({
      name: names[service],
      image: localImage(service, GOOD_VERSION),
      project: deployment.id,
      labels: { 'com.docker.compose.project': `${deployment.id}-blue`, 'com.docker.compose.service': `${service}-blue`, 'io.tale.console.managed': 'true' },
      health: fastHealthCheck(service),
      env,
    });
  }
  await Promise.all([waitForHealth(names.platform, 'healthy'), waitForHealth(names.rag, 'healthy')]);
  return names;
}

/** The platform stand-in's health check wants its ready marker: without it Docker calls it unhealthy within ~3 s. */
export async function makeUnhealthy(name: string): Promise<void> {
  await docker(['exec', name, 'rm', '-f', '/tmp/platform-ready']);
}

/** Gives the platform stand-in its ready marker back: healthy again at the next probes. */
export async function makeHealthy(name: string): Promise<void> {
  await docker(['exec', name, 'touch', '/tmp/platform-ready']);
}
