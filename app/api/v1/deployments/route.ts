import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startDeploy } from '@/server/services/operations';
import { deployInputSchema } from '@/lib/schemas/operations';

export const dynamic = 'force-dynamic';

/** Starts a deploy in `?env=<id>` (the local environment when left out): `{ "version": "1.2.3", "all": false, "dryRun": false }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, deployInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startDeploy(rt, caller, body.data));
  }, req);
}
