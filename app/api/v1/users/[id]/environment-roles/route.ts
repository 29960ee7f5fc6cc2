import { withApiUser } from '@/server/auth/session';
import { errorResponse, invalidInput } from '@/server/http/api-errors';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { setEnvironmentRole, userEnvironmentRoles } from '@/server/services/environment-roles';
import { environmentRoleBodySchema, userIdSchema } from '@/lib/schemas/environment-roles';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

// Users are global: these answer the same under any ?env=, and only an admin (admin everywhere) may call them.

/** The user's console-wide role and their role in every environment (admin). */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller, rt) => {
    try {
      return Response.json(userEnvironmentRoles(rt, caller, (await ctx.params).id));
    } catch (err) {
      return errorResponse(err);
    }
  }, req);
}

/** Sets, replaces or (role null) removes the user's grant in one environment (admin) → the user's roles. */
export function PUT(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller, rt) => {
    const id = userIdSchema.safeParse((await ctx.params).id);
    if (!id.success) return invalidInput(id.error);
    const body = await parseJsonBody(req, environmentRoleBodySchema);
    if (!body.ok) return body.response;
    return resultResponse(await setEnvironmentRole(rt, caller, { userId: id.data, ...body.data }));
  }, req);
}
