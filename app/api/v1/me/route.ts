import { withApiUser } from '@/server/auth/session';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async (user) => Response.json(user), req);
}
