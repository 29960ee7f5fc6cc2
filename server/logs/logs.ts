import 'server-only';
import { setTimeout as delay } from 'node:timers/promises';
import { CodedError } from '@/lib/errors';
import type { LogLineDto } from '@/lib/dto/logs';
import type { LogQuery, LogService } from '@/lib/schemas/logs';
import type { Color } from '../stack/types';
import { containerName, isRotatable } from '../stack/stack-names';
import { readTaleJson, projectIdOf } from '../project/tale-json';
import { readDeploymentColor } from '../project/state-files';
import type { ProjectDir } from '../project/file-ops';
import { toDockerTime } from '../docker/log-lines';
import type { FollowerDeps } from './log-follower';
import { decodeCursors } from './log-cursor';
import { logStream, sseEncoding, textEncoding, type LogTarget } from './log-stream';

const ORDER: LogService[] = ['proxy', 'platform', 'rag', 'crawler', 'convex', 'db'];

/** Where the log pages read from: the deployment directory and the containers' log streams. */
export type LogSource = { files: ProjectDir; follower: FollowerDeps };

/**
 * The follower's sleep. Node's own abortable timer removes its listener when it fires: a follower
 * waiting for a stopped container sleeps twice a second on the same signal for as long as the
 * reader stays. An abort ends the sleep early, which is all the follower needs to know.
 */
export const abortableSleep: FollowerDeps['sleep'] = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

async function projectId(at: ProjectDir): Promise<string> {
  try {
    return projectIdOf(await readTaleJson(at));
  } catch (err) {
    if (err instanceof CodedError) throw new CodedError('NO_PROJECT', 'The deployment directory holds no Tale project yet.');
    throw err;
  }
}

/**
 * The colour to show when none was asked for: the state file's, unless Docker says otherwise
 * (the state file is bookkeeping and may be missing or stale; the running containers are not).
 */
async function activeColor(src: LogSource, id: string): Promise<Color> {
  const { color } = await readDeploymentColor(src.files);
  const running = async (c: Color) => (await src.follower.state(containerName(id, 'platform', c))) === 'running';
  if (color && (await running(color))) return color;
  const other: Color = color === 'green' ? 'blue' : 'green';
  if (await running(other)) return other;
  return color ?? 'blue';
}

export async function resolveLogTargets(src: LogSource, query: Pick<LogQuery, 'service' | 'color'>): Promise<LogTarget[]> {
  const id = await projectId(src.files);
  const color = query.color ?? (await activeColor(src, id));
  const services = query.service === 'all' ? ORDER : [query.service];
  const targets: LogTarget[] = services.map((service) => ({
    service,
    container: containerName(id, service, isRotatable(service) ? color : null),
    // Following "the active colour" moves with a deploy's switch to the new container.
    ...(isRotatable(service) && !query.color && {
      successor: async () => containerName(id, service, await activeColor(src, id)),
    }),
  }));
  if (query.service !== 'all') return targets;
  const present = await Promise.all(targets.map(async (t) => (await src.follower.state(t.container)) !== 'gone'));
  return targets.filter((_, i) => present[i]);
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `15m` → an RFC3339 time 15 minutes ago; an ISO time stays as it is. */
export function absoluteTime(value: string | undefined, now = Date.now()): string | undefined {
  if (!value) return undefined;
  const m = /^(\d+)([smhd])$/.exec(value);
  if (!m) return value;
  return new Date(now - Number(m[1]) * UNITS[m[2] as keyof typeof UNITS] * 1000).toISOString();
}

export function lineFilter(query: Pick<LogQuery, 'stream' | 'q'>): (line: LogLineDto) => boolean {
  const needle = query.q?.toLowerCase();
  return (line) =>
    (query.stream === 'both' || line.stream === query.stream) && (!needle || line.text.toLowerCase().includes(needle));
}

async function requireTargets(src: LogSource, query: LogQuery): Promise<LogTarget[]> {
  const targets = await resolveLogTargets(src, query);
  if (!targets.length) throw new CodedError('NO_CONTAINERS', 'No containers of this stack exist yet.');
  return targets;
}

function followerOptions(query: LogQuery, follow: boolean) {
  const since = absoluteTime(query.since);
  const until = absoluteTime(query.until);
  return {
    follow,
    tail: query.since ? undefined : query.tail,
    since: since ? toDockerTime(since) : undefined,
    until: until ? toDockerTime(until) : undefined,
  };
}

/** The live (or historical) log as Server-Sent Events, resuming after `lastEventId`. */
export async function openLogEvents(src: LogSource, query: LogQuery, lastEventId: string | null, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const targets = await requireTargets(src, query);
  return logStream(
    src.follower,
    targets,
    { ...followerOptions(query, query.follow), encoding: sseEncoding, cursors: decodeCursors(lastEventId), accept: lineFilter(query) },
    signal,
  );
}

/** The chosen range as a plain-text file, produced on the server so the browser holds nothing. */
export async function openLogDownload(src: LogSource, query: LogQuery, signal: AbortSignal): Promise<{ filename: string; body: ReadableStream<Uint8Array> }> {
  const targets = await requireTargets(src, query);
  const body = logStream(
    src.follower,
    targets,
    { ...followerOptions(query, false), encoding: textEncoding, cursors: new Map(), accept: lineFilter(query), batchLines: 2000 },
    signal,
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return { filename: `tale-${query.service}${query.color ? `-${query.color}` : ''}-${stamp}.log`, body };
}
