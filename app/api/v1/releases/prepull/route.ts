import { withApiUser } from '@/server/auth/session';
import { errorResponse } from '@/server/http/api-errors';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { getPrePull, setPrePull } from '@/server/services/pre-pull';
import { prePullSettingSchema } from '@/lib/schemas/pre-pull';

export const dynamic = 'force-dynamic';

/** The background pre-pull: on or off, and what it pulled, is pulling or failed to pull. */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller, rt) => {
    try {
      return Response.json(await getPrePull(rt, caller));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Turns the pre-pull on or off and sets its interval (admin); a round runs at once. */
export function PUT(req: Request) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, prePullSettingSchema);
    if (!body.ok) return body.response;
    return resultResponse(await setPrePull(rt, caller, body.data));
  }, req);
}
