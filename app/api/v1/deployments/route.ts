import { withApiUser } from '@/server/auth/session';
import { startDeploy } from '@/server/services/operations';

export const dynamic = 'force-dynamic';

const STATUS: Record<string, number> = { INVALID_INPUT: 400, OPERATION_IN_PROGRESS: 409, FORBIDDEN: 403, UNAUTHENTICATED: 401 };

/** Starts a deploy for CI/CD: `{ "version": "1.2.3", "all": false, "dryRun": false }` → 202 with the operation. */
export function POST(req: Request) {
  return withApiUser('operator', async () => {
    // Only JSON declared as JSON: a form or text/plain post (what a cross-site page can send
    // without a preflight) is refused even when its body happens to parse.
    const declaredJson = /^application\/json\s*(;|$)/i.test(req.headers.get('content-type') ?? '');
    const body: unknown = declaredJson ? await req.json().catch(() => undefined) : undefined;
    if (body === undefined || typeof body !== 'object' || body === null) {
      return Response.json({ code: 'INVALID_INPUT', message: 'Send a JSON object with Content-Type: application/json.' }, { status: 400 });
    }
    const result = await startDeploy(body);
    if (!result.ok) return Response.json(result, { status: STATUS[result.code] ?? 422 });
    return Response.json(result.data, { status: 202, headers: { Location: `/api/operations/${result.data.id}/events` } });
  });
}
