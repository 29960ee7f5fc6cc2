// A minimal EventSource for Node tests: reads our SSE frames off a fetch body.

import type { OperationDto, OperationEventDto } from '@/lib/dto/operations';

export type SseEvent = { event: string; id?: string; data: string };

export async function readSse(
  url: string,
  opts: { cookie?: string; authorization?: string; lastEventId?: string; signal: AbortSignal; onEvent: (e: SseEvent) => void | 'stop' },
): Promise<number> {
  const res = await fetch(url, {
    headers: {
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...(opts.authorization ? { Authorization: opts.authorization } : {}),
      Accept: 'text/event-stream',
      ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}),
    },
    signal: opts.signal,
  });
  if (!res.body) return res.status;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let carry = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      carry += decoder.decode(value, { stream: true });
      let end = carry.indexOf('\n\n');
      while (end !== -1) {
        const raw = carry.slice(0, end);
        carry = carry.slice(end + 2);
        end = carry.indexOf('\n\n');
        const ev: SseEvent = { event: 'message', data: '' };
        for (const line of raw.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data += line.slice(6);
        }
        if (raw.startsWith(':') || raw.startsWith('retry:')) continue;
        if (opts.onEvent(ev) === 'stop') {
          await reader.cancel();
          return res.status;
        }
      }
    }
  } catch (err) {
    if (!opts.signal.aborted) throw err;
  }
  return res.status;
}

export type OperationFollow = {
  /** The HTTP status of the event stream's answer. */
  status: number;
  /** The `step` events, in order. */
  events: OperationEventDto[];
  /** The operation as the `end` event carried it; missing when the follow stopped earlier. */
  end?: OperationDto;
  /** Every frame as it came, for tests that scan the whole stream. */
  frames: SseEvent[];
};

export type FollowOptions = {
  cookie?: string;
  authorization?: string;
  lastEventId?: string;
  /** Gives up (without throwing) after this long; `end` is then missing. */
  timeoutMs: number;
  /** Stops at the first step event this returns true for. */
  until?: (event: OperationEventDto) => boolean;
};

/** Follows an operation's event stream (`url`: its `/events` route) until it ends, `until` says so, or the time is up. */
export async function followOperation(url: string, opts: FollowOptions): Promise<OperationFollow> {
  const follow: Omit<OperationFollow, 'status'> = { events: [], frames: [] };
  const ctl = new AbortController();
  const guard = setTimeout(() => ctl.abort(), opts.timeoutMs);
  try {
    const status = await readSse(url, {
      cookie: opts.cookie,
      authorization: opts.authorization,
      lastEventId: opts.lastEventId,
      signal: ctl.signal,
      onEvent: (e) => {
        follow.frames.push(e);
        if (e.event === 'end') {
          follow.end = JSON.parse(e.data) as OperationDto;
          return 'stop';
        }
        if (e.event !== 'step') return undefined;
        const event = JSON.parse(e.data) as OperationEventDto;
        follow.events.push(event);
        return opts.until?.(event) ? 'stop' : undefined;
      },
    });
    return { status, ...follow };
  } catch (err) {
    // The fetch itself can be what the timeout aborted.
    if (!ctl.signal.aborted) throw err;
    return { status: 0, ...follow };
  } finally {
    clearTimeout(guard);
  }
}

/** Like followOperation, but the operation must end: otherwise it throws with what was seen and `context` (e.g. the console's output). */
export async function followToEnd(url: string, opts: Omit<FollowOptions, 'until'> & { context?: () => string }): Promise<OperationFollow & { end: OperationDto }> {
  const follow = await followOperation(url, opts);
  if (!follow.end) throw new Error(`operation at ${url} did not end (HTTP ${follow.status}); ${follow.events.length} events\n${opts.context?.() ?? ''}`);
  return { ...follow, end: follow.end };
}
