import { withApiUser } from '@/server/auth/session';
import { errorResponse } from '@/server/http/api-errors';
import { diskUsage } from '@/server/services/disk';

export const dynamic = 'force-dynamic';

/** The stack's images, volumes and Docker's build cache, and the plan "remove unused images" would run. */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller, rt) => {
    try {
      return Response.json(await diskUsage(rt, caller));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
