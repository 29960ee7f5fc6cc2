import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { testAlertChannel } from '@/server/services/alerts';
import { emptyBodySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Sends a test alert now, once (admin), and answers how it went. */
export function POST(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, emptyBodySchema);
    if (!body.ok) return body.response;
    return resultResponse(await testAlertChannel(runtime(), caller, { id: (await ctx.params).id }));
  }, req);
}
