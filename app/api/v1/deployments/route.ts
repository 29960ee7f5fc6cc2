import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, resultResponse } from '@/server/services/api-request';
import { startDeploy } from '@/server/services/operations';
import { deployInputSchema } from '@/lib/schemas/operations';

export const dynamic = 'force-dynamic';

/** Starts a deploy: `{ "version": "1.2.3", "all": false, "dryRun": false }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async () => {
    const body = await parseJsonBody(req, deployInputSchema);
    if (!body.ok) return body.response;
    const result = await startDeploy(body.data);
    return resultResponse(result, 202, result.ok ? { Location: `/api/v1/operations/${result.data.id}` } : undefined);
  }, req);
}
