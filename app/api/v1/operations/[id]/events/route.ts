import { withApiUser } from '@/server/auth/session';
import { operation } from '@/server/services/operations';
import { operationEventStream } from '@/server/services/operation-events';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The operation's steps as Server-Sent Events, replayed after Last-Event-ID, then live, then `end`. */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async () => {
    const { id } = await ctx.params;
    if (!operation(id)) return Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });
    return new Response(operationEventStream(id, req.headers.get('last-event-id'), req.signal), {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' },
    });
  });
}
