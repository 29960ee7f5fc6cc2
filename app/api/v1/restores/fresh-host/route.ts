import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startFreshHostRestore } from '@/server/services/fresh-restore';
import { freshRestoreSchema } from '@/lib/schemas/fresh-restore';

export const dynamic = 'force-dynamic';

/**
 * Restores a backup into this fresh host (empty deployment directory): `{ target, password,
 * snapshot, projectId }` → 202 with the `restore` operation (docs/backups.md#restore-into-a-new-host).
 */
export function POST(req: Request) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, freshRestoreSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startFreshHostRestore(rt, caller, body.data));
  }, req);
}
