import { withApiUser } from '@/server/auth/session';
import { parseJsonBody, resultResponse } from '@/server/http/api-request';
import { projectFilesDiff, restoreProjectFiles } from '@/server/services/backup-project-files';
import { projectFilesRestoreBodySchema } from '@/lib/schemas/backups';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The diff between the backup's project files and the current ones, per file, secrets masked. */
export function GET(req: Request, ctx: Ctx) {
  return withApiUser('operator', async (caller, rt) => resultResponse(await projectFilesDiff(rt, caller, { snapshot: (await ctx.params).id })), req);
}

/** Restores the backup's project files: `{ "projectId": "<this project's id>" }` → 200 with the files written. */
export function POST(req: Request, ctx: Ctx) {
  return withApiUser('admin', async (caller, rt) => {
    const body = await parseJsonBody(req, projectFilesRestoreBodySchema);
    if (!body.ok) return body.response;
    return resultResponse(await restoreProjectFiles(rt, caller, { snapshot: (await ctx.params).id, projectId: body.data.projectId }));
  }, req);
}
