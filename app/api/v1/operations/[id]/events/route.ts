import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { operationEventsResponse } from '@/server/services/operation-events';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The operation's steps as Server-Sent Events, replayed after Last-Event-ID, then live, then `end`. */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async () => operationEventsResponse(runtime(), (await ctx.params).id, req), req);
}
