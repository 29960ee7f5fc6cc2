import { withApiUser } from '@/server/auth/session';
import { errorResponse } from '@/server/http/api-errors';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { listDrills, startDrill } from '@/server/services/backup-drills';
import { drillInputSchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

/** The restore drills this console ran, newest first, each passed or failed with its reason. */
export function GET(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    try {
      return Response.json(listDrills(rt, caller));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Starts a restore drill of one backup: `{ "snapshot": "<backup id>" }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, drillInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startDrill(rt, caller, body.data));
  }, req);
}
