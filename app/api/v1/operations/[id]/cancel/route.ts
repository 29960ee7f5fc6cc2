import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { cancel } from '@/server/services/operations';
import { emptyBodySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Cancels a running operation → 204; 409 NOT_RUNNING when it has already ended. */
export function POST(req: Request, ctx: Ctx) {
  return withApiUser('operator', async (caller) => {
    const body = await parseJsonBody(req, emptyBodySchema);
    if (!body.ok) return body.response;
    const result = await cancel(runtime(), caller, (await ctx.params).id);
    return result.ok ? new Response(null, { status: 204 }) : resultResponse(result);
  }, req);
}
