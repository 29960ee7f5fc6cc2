import type { AlertEventKind } from '@/lib/alerts/events';
import type { OperationDto } from '@/lib/dto/operations';
import { withEnv } from '@/lib/env-href';

// What can be published (docs/alerts.md#events). Each event carries its own facts in `data`; the
// words a person reads (title, text) and the severity are derived in one place, describe().

// `environmentId` names the environment the event is about (an operation's, a watched
// container's, a release or certificate check's); the host checks (disk, memory) leave it out: the
// console's own host. The hub adds `environmentName` for any environment but the local one, and the
// words a person reads then start with it: an alert from staging must not read like production's.
export type AlertEvent = (
  | { kind: 'operation.failed' | 'operation.succeeded' | 'backup.failed' | 'drill.failed'; data: { operationId: string; operationKind: string; purpose: string; actor: string | null; error: { code: string; message: string } | null; path: string } }
  | { kind: 'container.unhealthy' | 'container.restarting'; data: { service: string; container: string | null; since: string; thresholdMinutes: number; thresholdSeconds: number } }
  | { kind: 'disk.threshold'; data: { path: string; usedPercent: number; thresholdPercent: number; freeBytes: number } }
  | { kind: 'memory.threshold'; data: { usedPercent: number; thresholdPercent: number; availableBytes: number } }
  | { kind: 'release.available'; data: { version: string; current: string | null } }
  | { kind: 'tls.expiring'; data: { domain: string; expiresAt: string; daysLeft: number } }
) & { environmentId?: string; environmentName?: string };

/** A published event with its identity: what the queue stores and every channel renders. */
export type PublishedAlert = AlertEvent & { id: string; occurredAt: string; test?: boolean };

export type Severity = 'critical' | 'warning' | 'info';

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
/** A threshold under a minute (a test's) in seconds, else in minutes. */
const duration = (seconds: number) => (seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);

export function describe(event: AlertEvent): { title: string; text: string; severity: Severity } {
  const words = describeKind(event);
  return event.environmentName ? { ...words, title: `[${event.environmentName}] ${words.title}`, text: `${event.environmentName}: ${words.text}` } : words;
}

function describeKind(event: AlertEvent): { title: string; text: string; severity: Severity } {
  switch (event.kind) {
    case 'operation.failed':
    case 'backup.failed':
    case 'drill.failed': {
      const d = event.data;
      return { title: `Failed: ${d.purpose}`, text: `${d.purpose} failed${d.error ? `: ${d.error.message} (${d.error.code})` : ''}.${d.actor ? ` Started by ${d.actor}.` : ''}`, severity: 'critical' };
    }
    case 'operation.succeeded': {
      const d = event.data;
      return { title: `Succeeded: ${d.purpose}`, text: `${d.purpose} succeeded.${d.actor ? ` Started by ${d.actor}.` : ''}`, severity: 'info' };
    }
    case 'container.unhealthy':
    case 'container.restarting': {
      const d = event.data;
      const what = event.kind === 'container.unhealthy' ? 'unhealthy' : 'restarting';
      return { title: `${d.service} ${what} for more than ${duration(d.thresholdSeconds)}`, text: `${d.container ?? d.service} has been ${what} since ${d.since}.`, severity: 'critical' };
    }
    case 'disk.threshold': {
      const d = event.data;
      return { title: `Disk ${d.usedPercent}% full`, text: `The file system of ${d.path} is ${d.usedPercent}% full (threshold ${d.thresholdPercent}%); ${gib(d.freeBytes)} free.`, severity: 'warning' };
    }
    case 'memory.threshold': {
      const d = event.data;
      return { title: `Memory ${d.usedPercent}% used`, text: `The host's memory is ${d.usedPercent}% used (threshold ${d.thresholdPercent}%); ${gib(d.availableBytes)} available.`, severity: 'warning' };
    }
    case 'release.available': {
      const d = event.data;
      return { title: `Tale ${d.version} is available`, text: `Release ${d.version} is in the registry${d.current ? ` (running ${d.current})` : ''}.`, severity: 'info' };
    }
    case 'tls.expiring': {
      const d = event.data;
      return { title: `TLS certificate of ${d.domain} expires in ${d.daysLeft} days`, text: `The certificate of ${d.domain} expires at ${d.expiresAt}.`, severity: 'warning' };
    }
  }
}

/**
 * The alert for an operation that ended, or null for none: a failure of a backup or a drill is
 * its own event (so a channel can follow backups alone); a dry run only plans, and a cancel is a
 * person's decision, so neither alerts.
 */
export function operationAlert(op: OperationDto): AlertEvent | null {
  if (op.kind === 'dry-run') return null;
  // The page of an operation answers only in its own environment: the link carries it.
  const data = { operationId: op.id, operationKind: op.kind, purpose: op.purpose, actor: op.actor, error: op.error, path: withEnv(`/deployments/${op.id}`, op.environmentId) };
  if (op.status === 'succeeded') return { kind: 'operation.succeeded', data, environmentId: op.environmentId };
  if (op.status !== 'failed') return null;
  const kind: AlertEventKind = op.kind === 'backup' ? 'backup.failed' : op.kind === 'drill' ? 'drill.failed' : 'operation.failed';
  return { kind, data, environmentId: op.environmentId } as AlertEvent;
}
