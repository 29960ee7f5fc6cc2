import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { registryVersions } from '@/server/services/versions';
import { versionsQuerySchema } from '@/lib/schemas/api';

export const dynamic = 'force-dynamic';

/** Registry release tags, newest first, with whether all six images exist for each. */
export function GET(req: Request) {
  return withApiUser('viewer', async (_caller, rt) => {
    const query = versionsQuerySchema.safeParse(Object.fromEntries(apiQuery(req)));
    if (!query.success) return invalidInput(query.error);
    try {
      return Response.json(await registryVersions(rt, query.data.limit));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}
