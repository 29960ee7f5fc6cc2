import { withApiUser } from '@/server/auth/session';
import { liveOverview } from '@/server/services/overview';

export const dynamic = 'force-dynamic';

/** What the overview page polls: the stack, the registry's news and the CPU and memory already known. */
export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => Response.json(await liveOverview(rt), { headers: { 'Cache-Control': 'no-store' } }), req);
}
