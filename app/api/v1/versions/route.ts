import { withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { registryVersions } from '@/server/services/versions';
import { versionsQuerySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

/** Registry release tags, newest first, with whether all six images exist for each. */
export function GET(req: Request) {
  return withApiUser('viewer', async () => {
    const query = versionsQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!query.success) return invalidInput(query.error);
    try {
      return Response.json(await registryVersions(runtime(), query.data.limit));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
