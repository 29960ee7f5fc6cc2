import { withApiUser } from '@/server/auth/session';
import { operation } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** One operation's state, for scripts that started it and want to know how it ended. */
export function GET(_req: Request, ctx: Ctx) {
  return withApiUser('viewer', async () => {
    const { id } = await ctx.params;
    const op = operation(id);
    if (!op) return Response.json({ code: 'NOT_FOUND', message: 'No such operation.' }, { status: 404 });
    return Response.json(op);
  });
}
