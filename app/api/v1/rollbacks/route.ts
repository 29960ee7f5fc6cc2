import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startRollback } from '@/server/services/operations';
import { rollbackInputSchema } from '@/lib/schemas/operations';

export const dynamic = 'force-dynamic';

/** Rolls back to the previous version (or `{ "version": "1.2.3" }`) → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, rollbackInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startRollback(rt, caller, body.data));
  }, req);
}
