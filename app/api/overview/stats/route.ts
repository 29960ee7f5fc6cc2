import { withApiUser } from '@/server/auth/session';
import { containerStats } from '@/server/services/overview';

export const dynamic = 'force-dynamic';

/** The overview's CPU and memory, polled apart from its status because Docker takes a second or two. */
export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => Response.json(await containerStats(rt), { headers: { 'Cache-Control': 'no-store' } }), req);
}
