import { withApiUser } from '@/server/auth/session';
import { operationEventsResponse } from '@/server/services/operation-events';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * The operation's steps as Server-Sent Events, replayed after Last-Event-ID, then live, then `end`.
 * Only an operation of `?env=` (local when left out): another environment's is a 404.
 */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async (_caller, rt) => operationEventsResponse(rt, (await ctx.params).id, req), req);
}
