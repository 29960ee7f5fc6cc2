import type { HealthIncidentDto } from '@/lib/dto/health';

// What an incident means for "unhealthy or restarting for longer than N minutes" alerts (the
// alerts hub's observeHealth takes a service, container, condition and time). Wiring, in
// createRuntime once both exist:
//
//   watch.onIncident((i) => {
//     const condition = alertCondition(i);
//     if (condition && i.service) alerts.observeHealth({ service: i.service, container: i.container, condition, at: new Date(i.at) });
//   });

export type AlertCondition = 'unhealthy' | 'restarting' | 'ok';

/**
 * unhealthy → `unhealthy`; a die, kill or OOM kill (the restart policy brings it back, or it stays
 * down) and a restart → `restarting`; healthy again or stopped on purpose → `ok`. A start is not
 * yet a recovery: a restart loop is die, start, die, start, and only a health check that passes
 * (every Tale service has one) ends the episode; a start found after a gap with the container
 * already healthy does. A gap and a first look say nothing new: null.
 */
export function alertCondition(i: HealthIncidentDto): AlertCondition | null {
  switch (i.kind) {
    case 'health':
      return i.state === 'unhealthy' ? 'unhealthy' : 'ok';
    case 'die':
    case 'kill':
    case 'oom':
    case 'restart':
      return 'restarting';
    case 'start':
      return i.health === 'healthy' ? 'ok' : null;
    case 'stop':
      return 'ok';
    case 'gap':
    case 'seen':
      return null;
  }
}
