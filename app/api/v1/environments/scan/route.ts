import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { scanEnvironment } from '@/server/services/environments';
import { scanEnvironmentInputSchema } from '@/lib/schemas/environments';

export const dynamic = 'force-dynamic';

/** Step 1 of adding an environment: the host key the host presents (admin); nothing is saved. */
export function POST(req: Request) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, scanEnvironmentInputSchema);
    if (!body.ok) return body.response;
    return resultResponse(await scanEnvironment(runtime(), caller, body.data));
  }, req);
}
