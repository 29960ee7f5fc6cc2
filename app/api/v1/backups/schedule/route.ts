import { withApiUser } from '@/server/auth/session';
import { errorResponse } from '@/server/http/api-errors';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { getSchedule, setSchedule } from '@/server/services/backup-schedule';
import { backupScheduleSchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

/** The backup schedule and retention, the next run and the last. */
export function GET(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    try {
      return Response.json(getSchedule(rt, caller));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Replaces the schedule and retention (admin). */
export function PUT(req: Request) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, backupScheduleSchema);
    if (!body.ok) return body.response;
    return resultResponse(await setSchedule(rt, caller, body.data));
  }, req);
}
