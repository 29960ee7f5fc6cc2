import { withApiUser } from '@/server/auth/session';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { sseResponse } from '@/server/http/sse';
import { openLogEvents } from '@/server/logs/logs';
import { logQueryFromSearch } from '@/lib/schemas/logs';

export const dynamic = 'force-dynamic';

/** A container's logs as server-sent events, from `?env=<id>` (the local environment when left out). */
export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => {
    // `env` chose rt (withApiUser); the strict log query does not know it.
    const search = new URL(req.url).searchParams;
    search.delete('env');
    const parsed = logQueryFromSearch(search);
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      const body = await openLogEvents(rt.logs, parsed.data, req.headers.get('last-event-id'), req.signal);
      return sseResponse(body, req.signal);
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
