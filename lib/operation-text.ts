import type { OperationEventDto } from './dto/operations';
import { formatBytes } from './format-usage';
import { formatTime } from './format-time';

// An operation's events in words a person reads: one sentence per event, and the timeline's rows
// (repeated progress of one container or one health wait collapsed into one row that updates).
// Pure and isomorphic: the timeline renders it, the API's event DTO carries the same sentence.
// The events' step, status and data stay what they are (the API's contract); only words are added.

type Data = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const SERVICE_WORDS: Record<string, string> = {
  db: 'the database',
  proxy: 'the proxy',
  convex: 'Convex',
  platform: 'the platform',
  rag: 'RAG',
  crawler: 'the crawler',
};

const CONTAINER = /-(db|proxy|convex|platform|rag|crawler)(-(?:blue|green))?(-next|-retiring)?$/;

/**
 * A container as a person names it: `<project>-platform-green` is "platform-green" (the alias the
 * stack itself uses); an unknown name stays as it is.
 */
export function shortName(container: string): string {
  const m = CONTAINER.exec(container);
  return m ? `${m[1]}${m[2] ?? ''}${m[3] ?? ''}` : container;
}

/** "the database (db)", "the platform (platform-green)". */
export function containerWords(container: string): string {
  const m = CONTAINER.exec(container);
  const words = m ? SERVICE_WORDS[m[1] as string] : undefined;
  return words ? `${words} (${shortName(container)})` : container;
}

const names = (containers: string[]) => {
  const short = containers.map(shortName);
  return short.length <= 1 ? (short[0] ?? 'nothing') : `${short.slice(0, -1).join(', ')} and ${short[short.length - 1]}`;
};

const seconds = (s: number) => `${Math.round(s)} s`;

/** Phases as headings: short enough for the timeline's label column. */
export const PHASE_LABEL: Record<string, string> = {
  lock: 'Lock',
  resolve: 'Release',
  plan: 'Plan',
  pull: 'Images',
  infrastructure: 'Infrastructure',
  stateful: 'Databases, proxy',
  'cleanup-target': 'Leftovers',
  start: 'New colour',
  health: 'Health',
  switch: 'Switch',
  retire: 'Old colour',
  cleanup: 'Cleanup',
  reset: 'Reset',
  reconcile: 'Reconcile',
  'database-copy': 'Database copy',
  backup: 'Backup',
  'pre-upgrade-backup': 'Backup first',
  'pre-restore-backup': 'Safety backup',
  restore: 'Restore',
  drill: 'Drill',
  check: 'Check',
  retention: 'Retention',
  release: 'Release record',
  images: 'Images',
  done: 'Done',
  interrupted: 'Interrupted',
};

const PHASE_START: Record<string, string> = {
  pull: 'Pulling the release’s images',
  infrastructure: 'Making sure the volumes and the network exist',
  stateful: 'Starting the database, the proxy and Convex where they need it',
  'cleanup-target': 'Removing leftovers of the colour about to start',
  start: 'Starting the new colour (only reachable under its colour names)',
  health: 'Waiting for the new colour’s health checks',
  switch: 'Switching traffic to the new colour',
  retire: 'Retiring the old colour (graceful stop, then remove)',
};

const PHASE_DONE: Record<string, string> = {
  pull: 'Every image is pulled',
  infrastructure: 'Volumes and network are ready',
  stateful: 'The database, the proxy and Convex are ready',
  'cleanup-target': 'Leftovers removed',
  start: 'The new colour’s containers are running',
  health: 'The new colour is healthy',
  switch: 'Traffic goes to the new colour',
  retire: 'The old colour is retired',
};

function failure(d: Data): string {
  const message = str(d.message) ?? 'it failed';
  const removed = d.targetRemoved === true ? ' The new colour was removed; the live one was not touched.' : '';
  return `Failed: ${message}.${removed}`.replace(/\.\./g, '.');
}

function containerProgress(d: Data): string | null {
  const c = str(d.container);
  if (!c) return null;
  if (d.removed === true) return `Removed ${shortName(c)}${str(d.reason) ? ` (${str(d.reason)})` : ''}`;
  if (d.created === true) return `Created ${containerWords(c)}`;
  if (d.started === true) return `Started ${containerWords(c)}`;
  if (d.stopped === true) return `Stopped ${shortName(c)}, freeing its ports for its replacement`;
  if (str(d.renamed)) return `Renamed ${shortName(c)} to ${shortName(str(d.renamed) as string)}`;
  if (d.retired === true) return `Retired ${shortName(c)}: it finished its requests and was removed`;
  if (d.health === 'healthy') return num(d.afterSeconds) === null ? `${shortName(c)} is healthy` : `${shortName(c)} is healthy after ${seconds(num(d.afterSeconds) as number)}`;
  if (list(d.aliases).length > 0) return `${shortName(c)} now answers as ${list(d.aliases).join(', ')}`;
  return null;
}

function healthWait(d: Data): string | null {
  const containers = list(d.containers);
  if (containers.length === 0) return null;
  const timeout = num(d.timeoutSeconds);
  if (d.waiting === true) return `Waiting up to ${timeout === null ? 'the timeout' : seconds(timeout)} for ${names(containers)} to report healthy…`;
  const after = num(d.afterSeconds);
  const took = after === null ? '' : ` after ${seconds(after)}`;
  // The collapsed row keeps saying how long the wait could have taken.
  const allowed = timeout === null ? '' : ` (allowed: ${seconds(timeout)})`;
  if (d.outcome === 'healthy') return `${names(containers)} ${containers.length === 1 ? 'is' : 'are'} healthy${took}${allowed}`;
  if (d.outcome === 'failed') return `Stopped waiting for ${names(containers)}${took}: ${str(d.reason) ?? 'a health check failed'}`;
  return null;
}

function copyText(d: Data, status: string): string | null {
  const db = str(d.database);
  switch (d.type) {
    case 'refused':
      return `Did not copy ${db}: ${str(d.message) ?? ''}`;
    case 'database-started':
      return `Copying the database ${db}`;
    case 'progress':
    case 'database-finished':
      return `${d.type === 'progress' ? 'Copying' : 'Copied'} ${db}: ${formatBytes(num(d.bytes) ?? 0)}, ${num(d.rows) ?? 0} rows`;
    case 'failed':
      return `Copy of ${db} failed: ${str(d.message) ?? ''}`;
    case 'summary':
      return status === 'succeeded' ? 'Every database copied; row counts compared' : 'The copy did not complete';
    default:
      return null;
  }
}

function itemText(step: string, status: string, d: Data): string | null {
  const item = str(d.item);
  if (!item) return null;
  const verb = step === 'backup' ? { started: 'Backing up', succeeded: 'Backed up', failed: 'Could not back up' } : { started: 'Restoring', succeeded: 'Restored', failed: 'Could not restore' };
  if (item === 'stop-writers') return status === 'started' ? 'Stopping the services that write' : 'The services that write are stopped';
  if (item === 'start-writers') return status === 'started' ? 'Starting the services again' : 'The services are started again';
  // A restore into a fresh host (docs/backups.md#restore-into-a-new-host) writes these first.
  if (item === 'project-files') return status === 'started' ? 'Writing the backup’s project files into the empty deployment directory' : `Wrote the backup’s project files: ${list(d.files).join(', ')}`;
  if (item === 'backup-target') return `The repository is now this console’s backup target (${str(d.location) ?? ''})`;
  if (item === 'release') {
    const change = `${str(d.from) ?? 'nothing'} → ${str(d.version) ?? '?'}`;
    if (status === 'started') return `Deploying the backup's release by digest (${change}): the services stay stopped until it is healthy`;
    if (status === 'succeeded') return `The backup's release ${str(d.version) ?? ''} runs (${str(d.color) ?? ''})`;
    if (status === 'failed') return `Could not deploy the backup's release ${str(d.version) ?? ''}`;
  }
  const bytes = num(d.bytes);
  if (status === 'progress') return `${verb.started} ${item}: ${formatBytes(bytes ?? 0)} so far`;
  const lead = verb[status as keyof typeof verb];
  return lead ? `${lead} ${item}${bytes !== null && status === 'succeeded' ? ` (${formatBytes(bytes)})` : ''}` : null;
}

function drillText(status: string, d: Data): string | null {
  const item = str(d.item);
  if (item === 'sandbox') return status === 'started' ? `Starting a throwaway PostgreSQL (${str(d.image) ?? 'the db image'}) on an internal network` : 'The throwaway PostgreSQL is ready';
  if (item === 'removed') return 'Removed the throwaway PostgreSQL and its network';
  if (!item) return null;
  if (status === 'started') return `Restoring ${item} into the throwaway server`;
  if (status === 'succeeded') return `${item}: the row counts of its ${num(d.tables) ?? 0} tables match the backup`;
  if (status === 'failed') return `${item}: ${Array.isArray(d.differences) ? d.differences.length : 'some'} tables differ from the backup`;
  return null;
}

function imagesText(status: string, d: Data): string | null {
  const image = str(d.image);
  if (status === 'started') return `Removing ${num(d.images) ?? 0} unused images of the stack, at least ${formatBytes(num(d.freedBytes) ?? 0)}`;
  if (status === 'progress' && image && d.removed === true) return `Removed ${image}${num(d.bytes) !== null ? ` (${formatBytes(num(d.bytes))} its own)` : ''}`;
  if (status === 'progress' && image && d.kept === true) return `Kept ${image}: ${str(d.reason) ?? 'it is needed again'}`;
  if (status === 'succeeded') {
    const layers = num(d.layersSizeBefore) !== null && num(d.layersSizeAfter) !== null ? `; Docker’s image layers went from ${formatBytes(num(d.layersSizeBefore))} to ${formatBytes(num(d.layersSizeAfter))}` : '';
    return `Removed ${num(d.removed) ?? 0} images, freeing at least ${formatBytes(num(d.freedBytes) ?? 0)}${num(d.kept) ? `; kept ${num(d.kept)} that became needed` : ''}${layers}`;
  }
  return null;
}

/** One event as a sentence. Unknown shapes fall back to the step and its details, never to nothing. */
export function eventSentence(e: Pick<OperationEventDto, 'step' | 'status' | 'data'>): string {
  const d: Data = e.data ?? {};
  const { step, status } = e;
  if (status === 'failed' && step !== 'database-copy' && !str(d.item)) {
    if (step === 'interrupted') return `Interrupted: ${str(d.message) ?? 'the console stopped while this ran'}`;
    return failure(d);
  }
  const text = sentence(step, status, d);
  if (text) return text;
  const details = [d.item, d.database, d.container, d.image, d.version, d.color, d.message, d.reason].filter((v) => typeof v === 'string');
  return [`${PHASE_LABEL[step] ?? step}: ${status}`, ...details].join(' · ');
}

function sentence(step: string, status: string, d: Data): string | null {
  if (status === 'warning') return `Warning: ${str(d.message) ?? 'see the details'}`;
  switch (step) {
    case 'lock':
      return status === 'started' ? 'Taking the deployment lock (.tale/deployment-lock), shared with the tale CLI' : status === 'succeeded' ? 'Holding the deployment lock' : null;
    case 'resolve':
      if (status === 'started') return `Checking that every image of ${str(d.version) ?? 'the newest release'} is in ${str(d.registry) ?? 'the registry'}`;
      if (status === 'succeeded') return `Every image of ${str(d.version)} is in the registry`;
      if (status === 'progress') return `Going back to ${str(d.version)}${d.pinned === true ? ', pinned to the digests recorded when it ran here' : ''}`;
      return null;
    case 'plan': {
      const steps = Array.isArray(d.steps) ? d.steps.length : null;
      if (status !== 'succeeded') return null;
      if (d.kind === 'reset') return `Planned the reset: ${steps ?? 0} steps`;
      const to = str(d.to);
      return `Planned ${steps ?? 'the'} steps: ${str(d.version) ?? 'the release'} onto ${to ?? 'the other colour'}${str(d.from) ? ` while ${str(d.from)} serves` : ''}`;
    }
    case 'pull':
      if (status === 'progress') {
        if (d.status === 'pulling') return `Pulling ${str(d.image)}`;
        if (d.status === 'pulled') return `Pulled ${str(d.image)}`;
        if (d.status === 'present') {
          const at = str(d.prePulledAt);
          return at ? `Images already pulled in the background (${formatTime(at).slice(11, 16)} UTC)` : `Already on this host, not pulled again: ${str(d.image)}`;
        }
      }
      break;
    case 'health':
      if (status === 'progress') return healthWait(d) ?? containerProgress(d);
      break;
    case 'switch':
      if (status === 'progress' && str(d.color)) return `Recorded ${str(d.color)} as the live colour${str(d.previousVersion) ? ` and ${str(d.previousVersion)} as the version to roll back to` : ''}`;
      break;
    case 'done':
      return `${str(d.version)} is live on ${str(d.color)}`;
    case 'release':
      return status === 'succeeded' ? `Recorded ${str(d.version)} and its image digests, so a rollback brings back exactly this` : null;
    case 'cleanup':
      if (status === 'started') return 'Removing the inactive colour';
      if (status === 'skipped') return `Nothing to clean up: ${str(d.reason) ?? ''}`;
      if (status === 'succeeded') return `Removed ${list(d.removed).length} containers of the inactive colour`;
      break;
    case 'reset':
      if (status === 'started') return `Resetting: removing the stack’s containers${d.all === true ? ', the database, proxy, Convex and the network' : ''}${d.volumes === true ? ', and every volume' : ''}`;
      if (status === 'succeeded') return 'The reset is done';
      if (d.stateCleared === true) return 'Forgot the live colour and the previous version';
      if (str(d.network)) return `Removed the network ${str(d.network)}`;
      if (list(d.volumes).length) return `Deleted the volumes ${list(d.volumes).join(', ')}`;
      break;
    case 'reconcile':
      if (status === 'started') return 'Comparing what runs in Docker with the deployment’s state files';
      if (status === 'skipped') return 'Another process holds the deployment lock: nothing was changed';
      if (status === 'succeeded') return `Reconciled: ${num(d.actions) ?? 0} changes${str(d.liveColor) ? `, ${str(d.liveColor)} serves` : ''}`;
      if (str(d.lockReleased)) return `Removed a deployment lock left by a process that is gone (${str(d.lockReleased)})`;
      if (d.action === 'write-color') return `Recorded ${str(d.color)} as the live colour`;
      if (d.action === 'remove') return `Removed ${shortName(str(d.container) ?? '')}`;
      break;
    case 'database-copy':
      return copyText(d, status);
    case 'backup':
    case 'restore':
      return itemText(step, status, d);
    case 'pre-upgrade-backup': {
      const change = str(d.to) ? ` ${str(d.from) ?? 'nothing'} → ${str(d.to)}` : '';
      if (status === 'started') return `Backing up before the change${change}`;
      if (status === 'skipped') return `No backup before the change${change}: skipped, reason: ${str(d.reason) ?? ''}`;
      if (status === 'succeeded') return `Backed up before the change${change}: ${formatBytes(num(d.bytes) ?? 0)} in ${seconds((num(d.durationMs) ?? 0) / 1000)}`;
      break;
    }
    case 'preflight': {
      const named = list(d.failing).join(', ');
      if (status === 'skipped') return `Preflight failed (${named}) and was overridden, reason: ${str(d.reason) ?? ''}`;
      if (status === 'succeeded') return list(d.warnings).length > 0 ? `Preflight passed, with warnings: ${list(d.warnings).join(', ')}` : 'Preflight passed';
      break;
    }
    case 'pre-restore-backup':
      if (status === 'started') return 'Backing up the current state first, so this restore can be undone';
      if (status === 'skipped') return `No safety backup before the restore: skipped, reason: ${str(d.reason) ?? ''}`;
      if (status === 'succeeded') return `Backed up the current state: ${formatBytes(num(d.bytes) ?? 0)} in ${seconds((num(d.durationMs) ?? 0) / 1000)}`;
      if (status === 'failed') return `The safety backup failed, so nothing was restored: ${str(d.message) ?? ''}`;
      break;
    case 'drill':
      return drillText(status, d);
    case 'check':
      if (status === 'started') return 'Checking the backup repository’s integrity (restic check)';
      if (status === 'succeeded') return 'The backup repository is sound';
      break;
    case 'images':
      return imagesText(status, d);
    case 'retention':
      if (status === 'started') return `Applying retention: ${num(d.keep) ?? 0} of ${num(d.backups) ?? 0} backups are kept`;
      if (status === 'succeeded') return `Forgot ${num(d.forgotten) ?? 0} backups (${num(d.snapshots) ?? 0} snapshots) and pruned their data`;
      break;
  }
  if (status === 'started' && PHASE_START[step]) return PHASE_START[step];
  if (status === 'succeeded' && PHASE_DONE[step]) return PHASE_DONE[step];
  if (status === 'skipped' && str(d.reason)) return `Skipped: ${str(d.reason)}`;
  return containerProgress(d);
}

export type TimelineRow = {
  /** Stable across updates: a row that updates keeps its key. */
  key: string;
  /** When the row began (its first event). */
  at: string;
  phase: string;
  status: string;
  text: string;
  /** How many events this row stands for (1 unless progress collapsed into it). */
  events: number;
  /** Where the row's subject can be seen (the backup the gate took). */
  link?: { href: string; label: string };
};

/**
 * What a row stands for: the progress of one container in one phase, one health wait, one
 * database being copied, one backup item. Other events are rows of their own.
 */
function rowKey(e: OperationEventDto): string | null {
  const d = e.data ?? {};
  if (e.status === 'failed' || e.status === 'warning') return null;
  if (e.step === 'health' && list(d.containers).length > 0) return `health-wait:${list(d.containers).join(',')}`;
  // A wait for one container and that container turning healthy are one row.
  if (e.step === 'health' && str(d.container) && d.health === 'healthy') return `health-wait:${str(d.container)}`;
  if (e.status === 'progress' && str(d.container)) return `${e.step}:${str(d.container)}`;
  if (e.step === 'database-copy' && str(d.database)) return `copy:${str(d.database)}`;
  if ((e.step === 'backup' || e.step === 'restore' || e.step === 'drill') && str(d.item)) return `${e.step}:${str(d.item)}`;
  // The images the background pre-pull fetched are one row, however many there are.
  if (e.step === 'pull' && e.status === 'progress' && d.status === 'present' && str(d.prePulledAt)) return 'pull:pre-pulled';
  if (e.step === 'pull' && e.status === 'progress' && str(d.image) && !str(d.layer)) return `pull:${str(d.image)}`;
  return null;
}

/**
 * The timeline's rows, in order of their first event. Layer-by-layer pull readings are left out
 * (the pull bars show them); everything else is a sentence.
 */
export function timelineRows(events: readonly OperationEventDto[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const byKey = new Map<string, TimelineRow>();
  for (const e of events) {
    if (e.step === 'pull' && e.status === 'progress' && str(e.data?.layer)) continue;
    const key = rowKey(e);
    const text = eventSentence(e);
    const existing = key ? byKey.get(key) : undefined;
    if (existing) {
      existing.text = text;
      existing.status = e.status;
      existing.events += 1;
      continue;
    }
    const row: TimelineRow = { key: key ?? `seq:${e.seq}`, at: e.at, phase: PHASE_LABEL[e.step] ?? e.step, status: e.status, text, events: 1 };
    const backupId = e.step === 'pre-upgrade-backup' || e.step === 'pre-restore-backup' ? str(e.data?.backupId) : null;
    if (backupId) row.link = { href: `/backups#backup-${backupId}`, label: 'the backup' };
    if (key) byKey.set(key, row);
    rows.push(row);
  }
  return rows;
}
