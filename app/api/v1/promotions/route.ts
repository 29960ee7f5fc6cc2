import { chosenRuntime, withApiUser } from '@/server/auth/session';
import { parseJsonBody, resultResponse, startedResponse } from '@/server/http/api-request';
import { startPromotion } from '@/server/services/promotion';
import { promotionInputSchema } from '@/lib/schemas/promotion';

export const dynamic = 'force-dynamic';

/**
 * Promotes another environment's live release to `?env=<id>` (the destination) by its recorded
 * digests: `{ "from": "local", "minCleanMinutes": 60 }` → 202 with the operation; with
 * `"dryRun": true`, 200 with the preview (the .env and pin differences, the proven-time check).
 */
export function POST(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const body = await parseJsonBody(req, promotionInputSchema);
    if (!body.ok) return body.response;
    const result = await startPromotion(rt, caller, body.data, chosenRuntime);
    return body.data.dryRun ? resultResponse(result) : startedResponse(result as Parameters<typeof startedResponse>[0]);
  }, req);
}
