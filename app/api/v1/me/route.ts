import { withApiUser } from '@/server/auth/session';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => Response.json(caller.user), req);
}
