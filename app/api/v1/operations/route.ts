import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { operations } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async () => Response.json({ operations: operations(runtime()) }), req);
}
