import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { listFreshHostBackups } from '@/server/services/fresh-restore';
import { freshRepositorySchema } from '@/lib/schemas/fresh-restore';

export const dynamic = 'force-dynamic';

/** The backups of a repository offered to this fresh host: a POST, as the body carries its password. */
export function POST(req: Request) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, freshRepositorySchema);
    if (!body.ok) return body.response;
    return resultResponse(await listFreshHostBackups(rt, caller, body.data));
  }, req);
}
