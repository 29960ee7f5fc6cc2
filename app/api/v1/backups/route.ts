import { withApiUser } from '@/server/auth/session';
import { errorResponse } from '@/server/http/api-errors';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { listBackups, startBackup } from '@/server/services/backups';
import { startBackupInputSchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

/** The complete backups of this project, newest first, and where the repository is. */
export function GET(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    try {
      return Response.json(await listBackups(rt, caller));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Starts a manual backup → 202 with the operation (and, on the very first, the repository password). */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, startBackupInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startBackup(rt, caller, body.data));
  }, req);
}
