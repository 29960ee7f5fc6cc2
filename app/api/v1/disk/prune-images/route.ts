import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, startedResponse } from '@/server/http/api-request';
import { startPruneImages } from '@/server/services/disk';
import { pruneImagesInputSchema } from '@/lib/schemas/disk';

export const dynamic = 'force-dynamic';

/** Removes the images of the reviewed plan (`planId` from GET /api/v1/disk) → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, pruneImagesInputSchema);
    if (!body.ok) return body.response;
    return startedResponse(await startPruneImages(rt, caller, body.data));
  }, req);
}
