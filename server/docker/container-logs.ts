import 'server-only';
import { Readable, Writable } from 'node:stream';
import { CodedError } from '@/lib/errors';
import type Docker from 'dockerode';
import { versionFromLabels } from '@/server/engine/active-color';
import type { DockerClients } from './client';
import { LineSplitter, type LogLine } from './log-lines';

export type ContainerLogOptions = { follow: boolean; tail?: number; since?: string; until?: string };

/**
 * How a log stream ended: `ended` when the engine closed it (history read, container stopped)
 * or we closed it; `interrupted` when it failed midway (connection reset, engine error), so the
 * lines read so far are not the whole log.
 */
export type ContainerLogEnd = 'ended' | 'interrupted';

/** One open Docker log stream. `pause` stops reading from the engine (backpressure). */
export type ContainerLogHandle = { pause(): void; resume(): void; close(): void; done: Promise<ContainerLogEnd> };

export type ContainerRunState = 'running' | 'stopped' | 'gone';

// The demuxer recurses once per frame within a chunk; feeding a whole history buffer at once
// would overflow the stack, so it is fed in slices as a live stream would be.
function* chunks(buffer: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

export async function containerRunState(docker: Docker, name: string): Promise<ContainerRunState> {
  try {
    const info = await docker.getContainer(name).inspect();
    return info.State.Running && !info.State.Restarting ? 'running' : 'stopped';
  } catch (err) {
    if (statusOf(err) === 404) return 'gone';
    throw err;
  }
}

/** The version a container runs, from its labels (ours, else the image's); null when it has none or is gone. */
export async function containerVersion(docker: Docker, name: string): Promise<string | null> {
  try {
    return versionFromLabels((await docker.getContainer(name).inspect()).Config.Labels ?? {});
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/**
 * Resolves once the stream is over. Node emits 'error' before 'close', so the first event tells an
 * interrupted stream from a finished one. Only a finished stream flushes its unterminated last
 * line: after an interruption that fragment is dropped, and a reader resuming from its cursor gets
 * the whole line again instead of a truncated one counted as delivered. The error listener stays
 * so that a late second error is not an uncaught exception.
 */
export function streamEnd(raw: Readable, flush: () => void): Promise<ContainerLogEnd> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (how: ContainerLogEnd) => () => {
      if (settled) return;
      settled = true;
      if (how === 'ended') flush();
      resolve(how);
    };
    raw.once('end', finish('ended'));
    raw.once('close', finish('ended'));
    raw.on('error', finish('interrupted'));
  });
}

/**
 * Opens the container's log stream with timestamps, demultiplexed by dockerode's own demuxer
 * (a TTY container has one raw stream), and hands out complete lines.
 */
export async function openContainerLogs(
  docker: Docker,
  name: string,
  options: ContainerLogOptions,
  onLine: (line: LogLine) => void,
): Promise<ContainerLogHandle> {
  const container = docker.getContainer(name);
  let tty: boolean;
  let raw: Readable;
  try {
    tty = (await container.inspect()).Config.Tty;
    // Docker's default tail is "all"; since/until take `seconds.nanoseconds` strings.
    const body = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(options.tail !== undefined && { tail: options.tail }),
      ...(options.since !== undefined && { since: options.since as unknown as number }),
      ...(options.until !== undefined && { until: options.until as unknown as number }),
    };
    // dockerode answers a stream when following and a Buffer otherwise.
    raw = options.follow
      ? ((await container.logs({ ...body, follow: true })) as unknown as Readable)
      : Readable.from(chunks((await container.logs({ ...body, follow: false })) as unknown as Buffer));
  } catch (err) {
    if (statusOf(err) === 404) throw new CodedError('CONTAINER_NOT_FOUND', `No container named ${name}.`);
    throw err;
  }

  const out = new LineSplitter('stdout', onLine);
  const errs = new LineSplitter('stderr', onLine);
  const sink = (s: LineSplitter) => new Writable({ write: (chunk: Buffer, _e, cb) => (s.push(chunk), cb()) });
  if (tty) raw.on('data', (chunk: Buffer) => out.push(chunk));
  else docker.modem.demuxStream(raw, sink(out), sink(errs));

  const done = streamEnd(raw, () => {
    out.flush();
    errs.flush();
  });
  return {
    pause: () => raw.pause(),
    resume: () => raw.resume(),
    close: () => raw.destroy(),
    done,
  };
}

/** What a log follower reads through: streams on the client without an idle timeout. */
export function containerLogSource(clients: DockerClients) {
  return {
    open: (name: string, options: ContainerLogOptions, onLine: (line: LogLine) => void) => openContainerLogs(clients.streaming, name, options, onLine),
    state: (name: string) => containerRunState(clients.api, name),
    version: (name: string) => containerVersion(clients.api, name),
  };
}
