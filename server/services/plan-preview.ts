import 'server-only';
import { compareVersions } from '@/lib/version-order';
import { parseVersion } from '@/lib/version-tag';
import type { PlanStep } from '../engine/plan-types';

/** One line per plan step, in the words of the timeline (pure; the dialog shows these). */
export function describeStep(step: PlanStep): string {
  switch (step.action) {
    case 'pull':
      return `pull ${step.image}`;
    case 'ensure-network':
      return `network ${step.network}`;
    case 'ensure-volumes':
      return `volumes ${step.volumes.join(', ')}`;
    case 'remove':
      return `remove ${step.container} (${step.reason})`;
    case 'create':
      return `create ${step.container} from ${step.image}`;
    case 'start':
      return `start ${step.container}`;
    case 'stop':
      return `stop ${step.container} (up to ${step.graceSeconds} s)`;
    case 'wait-healthy':
      return `wait until healthy: ${step.containers.join(', ')}`;
    case 'switch':
      return `switch traffic to ${step.container}`;
    case 'write-state':
      return `record ${step.color} as live${step.previousVersion ? `, ${step.previousVersion} as previous` : ''}`;
    case 'retire':
      return `retire ${step.container} (drain up to ${step.graceSeconds} s)`;
    case 'rename':
      return `rename ${step.container} to ${step.to}`;
    case 'stop-database':
      return `stop the bundled database ${step.container} (its volume ${step.volume} is kept)`;
    case 'clear-state':
      return 'forget the live colour and previous version';
    case 'remove-volumes':
      return `delete volumes ${step.volumes.join(', ')}`;
    case 'remove-network':
      return `remove network ${step.network}`;
  }
}

/** A target older than the live version: Convex data and indexes stay as the newer one left them. */
export function isDowngrade(target: string, live: string | null): boolean {
  const t = parseVersion(target);
  const l = live ? parseVersion(live) : null;
  return t !== null && l !== null && compareVersions(t, l) < 0;
}
