import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { runtime } from '@/server/runtime';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { listAlertDeliveries } from '@/server/services/alerts';
import { alertDeliveriesQuerySchema } from '@/lib/schemas/alerts';

export const dynamic = 'force-dynamic';

/** The delivery log: every attempt, newest first (`limit`, `channelId`). */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => {
    // Checked here too, so a bad or unknown key is a 400 that names the field, as on every route.
    const parsed = alertDeliveriesQuerySchema.safeParse(Object.fromEntries(apiQuery(req)));
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      return Response.json({ attempts: listAlertDeliveries(runtime(), caller, parsed.data) });
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
