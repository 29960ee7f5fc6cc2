import type { HealthIncidentDto } from './dto/health';

// One sentence per incident, for the overview's list (and for whoever sends alerts of them).

const SIGNALS: Record<string, string> = { KILL: 'SIGKILL', TERM: 'SIGTERM', '9': 'SIGKILL', '15': 'SIGTERM', '2': 'SIGINT', '1': 'SIGHUP' };

function exit(i: HealthIncidentDto): string {
  return i.exitCode === null ? '' : ` (exit code ${i.exitCode})`;
}

export function incidentText(i: HealthIncidentDto): string {
  const who = i.container ?? 'the stack';
  const found = i.reconciled ? ', found after a gap' : '';
  switch (i.kind) {
    case 'health':
      return i.state === 'unhealthy' ? `${who} became unhealthy${found}` : `${who} is healthy again${found}`;
    case 'die':
      return `${who} exited${exit(i)}${found}`;
    case 'kill':
      return `${who} was killed${i.signal ? ` by ${SIGNALS[i.signal] ?? i.signal}` : ''}${exit(i)}`;
    case 'oom':
      return `${who}: a process was killed for lack of memory (OOM)`;
    case 'start':
      return `${who} started${found}`;
    case 'restart':
      return `${who} restarted`;
    case 'stop':
      return `${who} was stopped${exit(i)}`;
    case 'seen':
      return `${who} first seen (${i.state ?? 'unknown'})`;
    case 'gap':
      return 'Not watching: the console or the Docker Engine was down; what changed meanwhile is marked “found after a gap”';
  }
}

/** Whether an incident is bad news (for colour and alerts): down or unhealthy without being asked to stop. */
export function isProblem(i: HealthIncidentDto): boolean {
  return i.kind === 'die' || i.kind === 'kill' || i.kind === 'oom' || i.kind === 'gap' || (i.kind === 'health' && i.state === 'unhealthy');
}
