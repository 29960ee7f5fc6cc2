import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startRestore } from '@/server/services/backups';
import { restoreInputSchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

/** Restores a backup: `{ "snapshot": "<backup id>", "projectId": "<this project's id>" }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, restoreInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startRestore(rt, caller, body.data));
  }, req);
}
