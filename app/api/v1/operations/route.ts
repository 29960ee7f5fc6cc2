import { withApiUser } from '@/server/auth/session';
import { operations } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => Response.json({ operations: operations(rt) }), req);
}
