import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { operation } from '@/server/services/operations';
import { operationEventsResponse } from '@/server/services/operation-events';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * The console's stream of an operation's steps (Server-Sent Events, replayed after Last-Event-ID,
 * then live, then `end`). The page follows an operation by its id alone: without `?env=` the stream
 * is opened in the operation's own environment, so the role checked is the caller's there; with
 * `?env=`, an operation of another environment is a 404 as on /api/v1.
 */
export async function GET(req: Request, ctx: Ctx) {
  const id = (await ctx.params).id;
  const url = new URL(req.url);
  let request = req;
  if (!url.searchParams.has('env')) {
    // The shared database knows every environment's operations; nothing is answered before sign-in.
    const own = operation(runtime(), id)?.environmentId;
    if (own) {
      url.searchParams.set('env', own);
      request = new Request(url, req);
    }
  }
  return withApiUser('viewer', async (_caller, rt) => operationEventsResponse(rt, id, req), request);
}
