import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { cancel } from '@/server/services/operations';
import { operationHere, operationNotFound } from '@/server/services/operation-events';
import { operationIdSchema } from '@/lib/schemas/operations';
import { emptyBodySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * Cancels a running operation of `?env=` → 204; 409 NOT_RUNNING when it has already ended; 404 when
 * there is no such operation in that environment (the operations bus would cancel any environment's
 * by id, so the operator role of one environment must not reach another's here).
 */
export function POST(req: Request, ctx: Ctx) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, emptyBodySchema);
    if (!body.ok) return body.response;
    const id = (await ctx.params).id;
    if (operationIdSchema.safeParse(id).success && !operationHere(rt, id)) return operationNotFound();
    const result = await cancel(rt, caller, id);
    return result.ok ? new Response(null, { status: 204 }) : resultResponse(result);
  }, req);
}
