import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { openLogDownload } from '@/server/logs/logs';
import { logQueryFromSearch } from '@/lib/schemas/logs';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => {
    const parsed = logQueryFromSearch(apiQuery(req));
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      const { filename, body } = await openLogDownload(rt.logs, parsed.data, req.signal);
      return new Response(body, {
        headers: {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Disposition': `attachment; filename="${filename}"`,
          'Cache-Control': 'no-store',
        },
      });
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
