import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startCheck } from '@/server/services/backup-drills';
import { checkInputSchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

/** Starts the repository's integrity check (`restic check`) → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, checkInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startCheck(rt, caller, body.data));
  }, req);
}
