import { runtimeFor, withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { errorResponse } from '@/server/http/api-errors';
import { getFleet } from '@/server/services/fleet';

export const dynamic = 'force-dynamic';

/** Every environment at once, each under its own deadline (viewer). */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => {
    try {
      return Response.json(await getFleet(runtime(), caller, runtimeFor));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
