import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startDeploy } from '@/server/services/operations';
import { deployInputSchema } from '@/lib/schemas/operations';

export const dynamic = 'force-dynamic';

/** Starts a deploy: `{ "version": "1.2.3", "all": false, "dryRun": false }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller) => {
    const body = await parseJsonBody(req, deployInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startDeploy(runtime(), caller, body.data));
  }, req);
}
