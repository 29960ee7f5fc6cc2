import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { resultResponse } from '@/server/http/api-request';
import { getPreflight } from '@/server/services/preflight';

export const dynamic = 'force-dynamic';

/** The preflight checks, run now (docs/preflight.md). */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => resultResponse(await getPreflight(runtime(), caller)), req);
}
