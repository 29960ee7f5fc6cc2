import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { healthHistory } from '@/server/services/health-history';
import { healthHistoryQueryFromSearch } from '@/lib/schemas/health';

export const dynamic = 'force-dynamic';

/** The stack's health history: 24 h uptime per service, CPU and memory and incidents for a range. */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller, rt) => {
    const parsed = healthHistoryQueryFromSearch(apiQuery(req));
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      return Response.json(healthHistory(rt, caller, parsed.data));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
