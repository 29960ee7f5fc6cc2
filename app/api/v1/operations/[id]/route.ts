import { withApiUser } from '@/server/auth/session';
import { operationHere, operationNotFound } from '@/server/services/operation-events';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** One operation of `?env=` (local when left out); another environment's is a 404. */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async (_caller, rt) => {
    const found = operationHere(rt, (await ctx.params).id);
    return found ? Response.json(found) : operationNotFound();
  }, req);
}
