import { withApiUser } from '@/server/auth/session';
import { currentStatus } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

/** The running operation and the stack's state of `?env=<id>` (the local environment when left out). */
export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => Response.json(await currentStatus(rt)), req);
}
