import { withApiUser } from '@/server/auth/session';
import { errorResponse, invalidInput } from '@/server/services/api-errors';
import { registryVersions } from '@/server/services/versions';
import { versionsQuerySchema } from '@/lib/schemas/api';
import { CodedError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/** Registry release tags, newest first, with whether all six images exist for each. */
export function GET(req: Request) {
  return withApiUser('viewer', async () => {
    const query = versionsQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!query.success) return invalidInput(query.error);
    try {
      return Response.json(await registryVersions(query.data.limit));
    } catch (err) {
      // The registry, not this request, is at fault: a gateway error the caller may retry.
      if (err instanceof CodedError && err.code.startsWith('REGISTRY_')) return Response.json({ code: err.code, message: err.message }, { status: 502 });
      return errorResponse(err);
    }
  });
}
