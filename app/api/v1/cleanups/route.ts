import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startCleanup } from '@/server/services/operations';
import { emptyBodySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

/** Removes the inactive colour's containers → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, emptyBodySchema);
    if (!body.ok) return body.response;
    return startedResponse(await startCleanup(rt, caller));
  }, req);
}
