import { otherColor } from '@/server/stack/stack-names';
import { colorContainerNames, detectActiveColor } from './active-color';
import { underLock } from './deployment-lock';
import { engineSettings } from './engine-settings';
import type { EnginePorts } from './ports';

export interface CleanupResult {
  activeColor: 'blue' | 'green' | null;
  removed: string[];
  warnings: string[];
}

/**
 * Removes the inactive colour. The live colour comes from Docker and the state file together, so a
 * lost state file cannot make cleanup remove what is serving; with nothing live nothing is removed.
 */
export function cleanup(ports: EnginePorts): Promise<CleanupResult> {
  const { docker, project, events } = ports;
  return underLock(ports, 'cleanup', async () => {
    events.emit({ step: 'cleanup', status: 'started' });
    const projectId = await project.readProjectId();
    const settings = engineSettings(await project.readEnv());
    const active = await detectActiveColor(docker, project, projectId);
    if (!active.color) {
      events.emit({ step: 'cleanup', status: 'skipped', data: { reason: 'No active deployment, nothing to clean up' } });
      return { activeColor: null, removed: [], warnings: active.warnings };
    }
    const inactive = otherColor(active.color);
    const names = await colorContainerNames(docker, projectId, inactive, Object.values(active.colors[inactive].containers).map((c) => c.name));
    const removed: string[] = [];
    for (const name of names) {
      // Graceful like a retire: an inactive colour can still hold the shared alias after a CLI run.
      await docker.stopContainer(name, settings.drainTimeoutSeconds);
      await docker.removeContainer(name);
      removed.push(name);
      events.emit({ step: 'cleanup', status: 'progress', data: { container: name, removed: true } });
    }
    events.emit({ step: 'cleanup', status: 'succeeded', data: { removed } });
    return { activeColor: active.color, removed, warnings: active.warnings };
  });
}
