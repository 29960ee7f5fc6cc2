import { withApiUser } from '@/server/auth/session';

export const dynamic = 'force-dynamic';

export function GET() {
  return withApiUser('viewer', async (user) => Response.json(user));
}
