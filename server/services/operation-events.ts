import 'server-only';
import type { OperationDto } from '@/lib/dto/operations';
import { sseResponse } from '../http/sse';
import type { OperationMessage } from '../operations/runner';
import type { Runtime } from '../runtime';
import { operation } from './operations';

const encoder = new TextEncoder();

/**
 * An operation's events as Server-Sent Events frames: stored ones after `lastEventId` first, then
 * live ones, and an `end` event with the final operation. Cancelling it unsubscribes.
 */
export function operationEventStream(rt: Runtime, id: string, lastEventId: string | null): ReadableStream<Uint8Array> {
  const after = Number.parseInt(lastEventId ?? '0', 10);
  let open = true;
  let unsubscribe = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => open && controller.enqueue(encoder.encode(text));
      // May run inside subscribe() itself, when the operation ended before anyone listened.
      const close = () => {
        if (!open) return;
        open = false;
        queueMicrotask(() => unsubscribe());
        controller.close();
      };
      unsubscribe = rt.operations.subscribe(id, Number.isFinite(after) && after > 0 ? after : 0, (m: OperationMessage) => {
        if ('event' in m) send(`id: ${m.event.seq}\nevent: step\ndata: ${JSON.stringify(m.event)}\n\n`);
        else {
          send(`event: end\ndata: ${JSON.stringify(m.end)}\n\n`);
          close();
        }
      });
    },
    cancel() {
      if (!open) return;
      open = false;
      unsubscribe();
    },
  });
}

/**
 * The operation `id` if it ran in `rt`'s environment, else null: the database is shared by every
 * environment, but another environment's operation is not found through this one's URL, so a role
 * granted on staging never reaches production's operations (docs/api.md#environments).
 */
export function operationHere(rt: Runtime, id: string): OperationDto | null {
  const found = operation(rt, id);
  return found && found.environmentId === rt.environment.id ? found : null;
}

/** The 404 of an operation that is not in the chosen environment (or nowhere). */
export const operationNotFound = () => Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });

/** The SSE response for an operation of `rt`'s environment, or 404: shared by the console's stream and /api/v1's. */
export function operationEventsResponse(rt: Runtime, id: string, req: Request): Response {
  if (!operationHere(rt, id)) return operationNotFound();
  return sseResponse(operationEventStream(rt, id, req.headers.get('last-event-id')), req.signal);
}
