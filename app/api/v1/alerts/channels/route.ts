import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { errorResponse } from '@/server/http/api-errors';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { createAlertChannel, listAlertChannels } from '@/server/services/alerts';
import { alertChannelInputSchema } from '@/lib/schemas/alerts';

export const dynamic = 'force-dynamic';

/** The alert channels, without their secrets. */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => {
    try {
      return Response.json({ channels: listAlertChannels(runtime(), caller) });
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Adds a channel (admin) → 201. */
export function POST(req: Request) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, alertChannelInputSchema);
    if (!body.ok) return body.response;
    return resultResponse(await createAlertChannel(runtime(), caller, body.data), 201);
  }, req);
}
