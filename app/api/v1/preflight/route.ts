import { withApiUser } from '@/server/auth/session';
import { resultResponse } from '@/server/http/api-request';
import { getPreflight } from '@/server/services/preflight';

export const dynamic = 'force-dynamic';

/** The preflight checks, run now (docs/preflight.md). */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller, rt) => resultResponse(await getPreflight(rt, caller)), req);
}
