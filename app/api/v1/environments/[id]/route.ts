import { closeEnvironmentRuntime, withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { removeEnvironment } from '@/server/services/environments';
import { removeEnvironmentBodySchema } from '@/lib/schemas/environments';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Removes an environment and its key (admin), the name typed again as confirmation → 204. */
export function DELETE(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, removeEnvironmentBodySchema);
    if (!body.ok) return body.response;
    const result = await removeEnvironment(runtime(), caller, { id: (await ctx.params).id, confirmName: body.data.confirmName });
    if (!result.ok) return resultResponse(result);
    closeEnvironmentRuntime(result.data.id); // its watch, backup scheduler and SSH connection stop
    return new Response(null, { status: 204 });
  }, req);
}
