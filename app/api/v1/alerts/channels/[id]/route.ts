import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { deleteAlertChannel, updateAlertChannel } from '@/server/services/alerts';
import { alertChannelInputSchema } from '@/lib/schemas/alerts';
import { emptyBodySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Replaces a channel (admin); secrets left out are kept. */
export function PUT(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, alertChannelInputSchema);
    if (!body.ok) return body.response;
    return resultResponse(await updateAlertChannel(runtime(), caller, { id: (await ctx.params).id, channel: body.data }));
  }, req);
}

/** Removes a channel (admin) → 204; its delivery log stays. */
export function DELETE(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, emptyBodySchema);
    if (!body.ok) return body.response;
    const result = await deleteAlertChannel(runtime(), caller, { id: (await ctx.params).id });
    return result.ok ? new Response(null, { status: 204 }) : resultResponse(result);
  }, req);
}
