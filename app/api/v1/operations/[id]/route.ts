import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { operation } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return withApiUser('viewer', async () => {
    const found = operation(runtime(), (await ctx.params).id);
    if (!found) return Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });
    return Response.json(found);
  }, req);
}
