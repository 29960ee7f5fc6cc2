import 'server-only';
import { subscribe, type OperationMessage } from '../operations/runner';
import { operation } from './operations';

const encoder = new TextEncoder();

/**
 * An operation's events as Server-Sent Events: stored ones after `lastEventId` first, then live
 * ones, a heartbeat every 15 s, and an `end` event with the final operation.
 */
export function operationEventStream(id: string, lastEventId: string | null, signal: AbortSignal): ReadableStream<Uint8Array> {
  const after = Number.parseInt(lastEventId ?? '0', 10);
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      let unsubscribe = () => {};
      const send = (text: string) => open && controller.enqueue(encoder.encode(text));
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), 15_000);
      // May run inside subscribe() itself, when the operation ended before anyone listened.
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        queueMicrotask(() => unsubscribe());
        controller.close();
      };
      unsubscribe = subscribe(id, Number.isFinite(after) && after > 0 ? after : 0, (m: OperationMessage) => {
        if ('event' in m) send(`id: ${m.event.seq}\nevent: step\ndata: ${JSON.stringify(m.event)}\n\n`);
        else {
          send(`event: end\ndata: ${JSON.stringify(m.end)}\n\n`);
          close();
        }
      });
      cleanup = close;
      signal.addEventListener('abort', close, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
}

/** The SSE response for an operation, or 404: shared by the console's stream and /api/v1's. */
export function operationEventsResponse(id: string, req: Request): Response {
  if (!operation(id)) return Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });
  return new Response(operationEventStream(id, req.headers.get('last-event-id'), req.signal), {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' },
  });
}
