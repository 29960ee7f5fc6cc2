import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { sseResponse } from '@/server/http/sse';
import { openLogEvents } from '@/server/logs/logs';
import { logQueryFromSearch } from '@/lib/schemas/logs';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => {
    const parsed = logQueryFromSearch(apiQuery(req));
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      const body = await openLogEvents(rt.logs, parsed.data, req.headers.get('last-event-id'), req.signal);
      return sseResponse(body, req.signal);
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
