import { withApiUser } from '@/server/auth/session';
import { operation } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** One operation of `?env=<id>` (the local environment when left out): another environment's is 404, as an unknown id. */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async (_caller, rt) => {
    const found = operation(rt, (await ctx.params).id);
    // Ids are global, roles per environment: a viewer granted only here must not read another's.
    if (!found || found.environmentId !== rt.environment.id) return Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });
    return Response.json(found);
  }, req);
}
