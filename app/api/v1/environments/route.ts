import { startEnvironmentRuntime, withApiUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { addEnvironment, listEnvironments } from '@/server/services/environments';
import { addAnyEnvironmentInputSchema } from '@/lib/schemas/environments';

export const dynamic = 'force-dynamic';

/** Every environment, the local one first; no private key in any of them. */
export function GET(req: Request) {
  return withApiUser('viewer', async (caller) => Response.json({ environments: listEnvironments(runtime(), caller) }), req);
}

/** Adds an SSH environment once its confirmed host key, key and directory check out, or a TCP+TLS one once its engine answered with the certificates given (admin) → 201. */
export function POST(req: Request) {
  return withApiUser('admin', async (caller) => {
    const body = await parseJsonBody(req, addAnyEnvironmentInputSchema);
    if (!body.ok) return body.response;
    const result = await addEnvironment(runtime(), caller, body.data);
    if (result.ok) startEnvironmentRuntime(result.data.id); // its watch, alerts and backups start now
    return resultResponse(result, 201);
  }, req);
}
