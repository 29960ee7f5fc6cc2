import 'server-only';

// The one way the console answers with Server-Sent Events (operation events, live logs). The
// streams themselves only produce whole frames; what every SSE answer needs besides lives here.

/** Proxies (nginx, Caddy) must neither buffer nor transform the stream, or events arrive late. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

/** A comment line: browsers ignore it, and it keeps an idle connection open through proxies. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';

const encoder = new TextEncoder();

/**
 * Answers with `body` as an event stream: a heartbeat comment every `heartbeatMs` while it is
 * open, and when the client goes away (the request's `signal` aborts, or the response is
 * cancelled) the body is cancelled at once, so whatever feeds it (a subscription, Docker log
 * streams) is released. The body is read only as fast as the client reads, so its own
 * backpressure still holds. Frames pass through whole; a heartbeat never splits one.
 */
export function sseResponse(body: ReadableStream<Uint8Array>, signal: AbortSignal, heartbeatMs = 15_000): Response {
  const reader = body.getReader();
  let open = true;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let onAbort = () => {};
  const stop = () => {
    if (!open) return false;
    open = false;
    clearInterval(heartbeat);
    signal.removeEventListener('abort', onAbort);
    return true;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          if (!stop()) return;
          controller.close();
          reader.cancel().catch(() => undefined);
        };
        if (signal.aborted) return onAbort();
        heartbeat = setInterval(() => open && controller.enqueue(encoder.encode(SSE_HEARTBEAT)), heartbeatMs);
        signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (stop()) controller.error(err);
          return;
        }
        if (!open) return;
        if (chunk.done) {
          stop();
          controller.close();
        } else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        stop();
        return reader.cancel(reason);
      },
    },
    // Read the body only when the client asks: its own queue is where backpressure is measured.
    { highWaterMark: 0 },
  );
  return new Response(stream, { headers: SSE_HEADERS });
}
