import type Docker from 'dockerode';

// Docker's event stream, for the health watcher (server/watch/): the container events that change
// a container's health or life, as plain objects. The stream has no idle timeout (a quiet stack
// sends nothing for hours); it ends when the engine goes away, and the watcher reconnects.

/** The actions the watcher listens to (`health_status` matches Docker's `health_status: <status>`). */
export const WATCHED_ACTIONS = ['health_status', 'die', 'kill', 'oom', 'start', 'restart', 'stop'] as const;

export type ContainerEvent = {
  /** Milliseconds since the epoch, as Docker stamped it. */
  at: number;
  id: string;
  /** `health_status: healthy` is `health_status` with `health: 'healthy'`. */
  action: (typeof WATCHED_ACTIONS)[number];
  name: string;
  /** The container's labels (Docker puts them among the event's attributes). */
  labels: Record<string, string>;
  exitCode: number | null;
  health: string | null;
  signal: string | null;
};

export interface ContainerEventSource {
  /**
   * Opens the stream. Resolves once Docker answered (so the caller knows it listens), then calls
   * `onEvent` per event and `onEnd` once when the stream ends or breaks; `close` ends it quietly.
   */
  open(onEvent: (e: ContainerEvent) => void, onEnd: (err: Error | null) => void): Promise<{ close(): void }>;
}

type RawEvent = { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };

const NOT_LABELS = new Set(['name', 'image', 'exitCode', 'signal', 'execDuration']);

/** One line of the stream as an event, or null for what the watcher does not listen to. Pure, for unit tests. */
export function parseEvent(line: string): ContainerEvent | null {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return null;
  }
  if (raw.Type !== 'container' || !raw.Action || !raw.Actor?.ID) return null;
  const [verb, rest] = raw.Action.split(/:\s*/, 2);
  if (!(WATCHED_ACTIONS as readonly string[]).includes(verb!)) return null;
  const attrs = raw.Actor.Attributes ?? {};
  const labels = Object.fromEntries(Object.entries(attrs).filter(([k]) => !NOT_LABELS.has(k)));
  const exit = attrs.exitCode !== undefined ? Number(attrs.exitCode) : NaN;
  return {
    at: raw.timeNano ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
    id: raw.Actor.ID,
    action: verb as ContainerEvent['action'],
    name: attrs.name ?? raw.Actor.ID,
    labels,
    exitCode: Number.isFinite(exit) ? exit : null,
    health: verb === 'health_status' ? (rest ?? null) : null,
    signal: attrs.signal ?? null,
  };
}

export function createContainerEventSource(docker: Docker): ContainerEventSource {
  return {
    async open(onEvent, onEnd) {
      const stream = (await docker.getEvents({ filters: { type: ['container'], event: [...WATCHED_ACTIONS] } })) as NodeJS.ReadableStream & { destroy(): void };
      let ended = false;
      let closed = false;
      const end = (err: Error | null) => {
        if (ended) return;
        ended = true;
        if (!closed) onEnd(err);
      };
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          const event = line ? parseEvent(line) : null;
          if (event) onEvent(event);
        }
      });
      stream.on('error', (err: Error) => end(err));
      stream.on('end', () => end(null));
      stream.on('close', () => end(null));
      return {
        close() {
          closed = true;
          stream.destroy();
        },
      };
    },
  };
}
