import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { containerStats } from '@/server/services/overview';

export const dynamic = 'force-dynamic';

/** The overview's CPU and memory, polled apart from its status because Docker takes a second or two. */
export function GET(req: Request) {
  return withApiUser('viewer', async () => Response.json(await containerStats(runtime()), { headers: { 'Cache-Control': 'no-store' } }), req);
}
