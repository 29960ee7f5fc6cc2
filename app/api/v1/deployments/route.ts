import { withApiUser } from '@/server/auth/session';
import { startDeploy } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

const STATUS: Record<string, number> = { INVALID_INPUT: 400, OPERATION_IN_PROGRESS: 409, FORBIDDEN: 403, UNAUTHENTICATED: 401 };

/** Starts a deploy for CI/CD: `{ "version": "1.2.3", "all": false, "dryRun": false }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async () => {
    const body: unknown = await req.json().catch(() => undefined);
    if (body === undefined || typeof body !== 'object' || body === null) {
      return Response.json({ code: 'INVALID_INPUT', message: 'Send a JSON object.' }, { status: 400 });
    }
    const result = await startDeploy(body);
    if (!result.ok) return Response.json(result, { status: STATUS[result.code] ?? 422 });
    return Response.json(result.data, { status: 202, headers: { Location: `/api/operations/${result.data.id}/events` } });
  });
}
