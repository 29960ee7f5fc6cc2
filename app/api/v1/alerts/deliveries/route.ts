import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { errorResponse } from '@/server/http/api-errors';
import { listAlertDeliveries } from '@/server/services/alerts';

export const dynamic = 'force-dynamic';

/** The delivery log: every attempt, newest first (`limit`, `channelId`). */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => {
    try {
      const query = Object.fromEntries(new URL(req.url).searchParams);
      return Response.json({ attempts: listAlertDeliveries(runtime(), caller, query) });
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
