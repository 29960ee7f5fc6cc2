import { chosenRuntime, withApiUser } from '@/server/auth/session';
import { resultResponse } from '@/server/http/api-request';
import { previewPromotion } from '@/server/services/promotion';

export const dynamic = 'force-dynamic';

/** `?env=<destination>&from=<source>[&minCleanMinutes=N]`: what promoting would deploy and how the two environments differ; changes nothing. */
export function GET(req: Request) {
  return withApiUser('operator', async (caller, rt) => {
    const q = new URL(req.url).searchParams;
    const minutes = q.get('minCleanMinutes');
    // The query's strings become the schema's types here; the service validates them strictly.
    const input = { from: q.get('from') ?? '', ...(minutes !== null ? { minCleanMinutes: /^\d+$/.test(minutes) ? Number(minutes) : minutes } : {}) };
    return resultResponse(await previewPromotion(rt, caller, input, chosenRuntime));
  }, req);
}
