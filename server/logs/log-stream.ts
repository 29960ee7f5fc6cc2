import type { LogLineDto, LogMarkerDto, LogStatusDto } from '@/lib/dto/logs';
import { CodedError } from '@/lib/errors';
import { timestampKey } from '../docker/log-lines';
import { ContainerFollower, type Cursor, type FollowerDeps, type FollowerOptions } from './log-follower';
import { encodeCursors } from './log-cursor';

export type LogTarget = { service: string; container: string; successor?: () => Promise<string | null> };

export type LogSseOptions = FollowerOptions & {
  encoding: LogEncoding;
  cursors: Map<string, Cursor>;
  accept: (line: LogLineDto) => boolean;
  batchMs?: number;
  batchLines?: number;
};

const encoder = new TextEncoder();

/** How the stream is written: Server-Sent Events for the viewer, plain text for downloads. */
export type LogEncoding = {
  preamble(): string;
  lines(batch: LogLineDto[], cursorId: string): string;
  status(status: LogStatusDto): string;
  /** Carries the cursors too: a reconnect right after the move reads the new container from its start. */
  marker(marker: LogMarkerDto, cursorId: string): string;
  /** `failed`: a failure was reported just before; what was sent is not the whole log. */
  end(reason: 'closed' | 'complete' | 'failed'): string;
  failure(message: string): string;
};

const frame = (event: string, data: unknown, id?: string) =>
  `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

// Frames only: server/http/sse.ts adds the headers and the heartbeat of an SSE answer.
export const sseEncoding: LogEncoding = {
  preamble: () => 'retry: 2000\n\n',
  lines: (batch, id) => frame('lines', batch, id),
  status: (status) => frame('status', status),
  marker: (marker, id) => frame('marker', marker, id),
  end: (reason) => frame('end', { reason }),
  failure: (message) => frame('failure', { message }),
};

export const textEncoding: LogEncoding = {
  preamble: () => '',
  lines: (batch) => batch.map((l) => `${l.ts} ${l.service} ${l.stream} ${l.text}\n`).join(''),
  status: () => '',
  marker: (m) => `# ${m.ts} ${m.service} now following ${m.container}${m.version ? `, ${m.version}` : ''}\n`,
  end: () => '',
  failure: (message) => `# ${message}\n`,
};

// Only our own coded message reaches the client; anything else from the engine could carry paths or names.
function failureMessage(reason: unknown): string {
  if (reason instanceof CodedError && reason.code === 'LOG_STREAM_INTERRUPTED') return reason.message;
  return 'The Docker Engine stopped answering for this log.';
}

/**
 * Streams the targets' logs (as Server-Sent Events or text, per `encoding`): lines batched (every batchMs or batchLines),
 * merged by timestamp within a batch, each batch carrying the cursors to resume from. When the
 * client reads slower than the engine writes, the queue fills and the Docker streams are paused
 * until it drains. Cancelling (the client went away) or aborting closes every Docker stream.
 */
export function logStream(deps: FollowerDeps, targets: LogTarget[], options: LogSseOptions, signal: AbortSignal): ReadableStream<Uint8Array> {
  const batchMs = options.batchMs ?? 50;
  const batchLines = options.batchLines ?? 500;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });

  let pending: LogLineDto[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let followers: ContainerFollower[] = [];

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const cursors = () => new Map(followers.flatMap((f) => (f.position() ? [[f.container, f.position()!] as const] : [])));
        const enqueue = (text: string) => {
          if (closed || !text) return;
          controller.enqueue(encoder.encode(text));
          if ((controller.desiredSize ?? 1) <= 0) followers.forEach((f) => f.pause());
        };
        const flush = () => {
          if (timer) clearTimeout(timer);
          timer = null;
          if (!pending.length) return;
          const batch = pending.sort((a, b) => (timestampKey(a.ts) < timestampKey(b.ts) ? -1 : 1));
          pending = [];
          enqueue(options.encoding.lines(batch, encodeCursors(cursors())));
        };
        const push = (line: LogLineDto) => {
          if (!options.accept(line)) return;
          pending.push(line);
          if (pending.length >= batchLines) flush();
          else timer ??= setTimeout(flush, batchMs);
        };
        const finish = (failed: boolean) => {
          if (closed) return;
          flush();
          enqueue(options.encoding.end(stop.signal.aborted ? 'closed' : failed ? 'failed' : 'complete'));
          closed = true;
          signal.removeEventListener('abort', onAbort);
          controller.close();
        };

        followers = targets.map(
          (t) =>
            new ContainerFollower(
              deps,
              t.container,
              { ...options, successor: t.successor },
              options.cursors.get(t.container) ?? null,
              (l) => push({ ...l, service: t.service }),
              (state, container) => {
                flush();
                enqueue(options.encoding.status({ service: t.service, container, state }));
              },
              // After every line of the old container, before any of the new one's.
              ({ container, version }) => {
                flush();
                enqueue(options.encoding.marker({ ts: new Date().toISOString(), service: t.service, container, version }, encodeCursors(cursors())));
              },
            ),
        );
        enqueue(options.encoding.preamble());
        Promise.allSettled(followers.map((f) => f.run(stop.signal))).then((results) => {
          const failed = results.find((r) => r.status === 'rejected');
          if (failed) enqueue(options.encoding.failure(failureMessage(failed.reason)));
          finish(failed !== undefined);
        });
      },
      pull() {
        followers.forEach((f) => f.resume());
      },
      cancel() {
        closed = true;
        if (timer) clearTimeout(timer);
        stop.abort();
        followers.forEach((f) => f.close());
      },
    },
    { highWaterMark: 16 },
  );
}
