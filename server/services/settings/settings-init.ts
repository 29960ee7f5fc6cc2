import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import { initialiseSchema } from '@/lib/schemas/settings';
import { authorize, type Caller } from '../../auth/caller';
import type { Runtime } from '../../runtime';
import { initProject } from '../../project/init-project';
import { projectPaths } from '../../project/project-paths';
import { readOptional } from '../../project/read-optional';
import { readTaleJson } from '../../project/tale-json';
import { audit, invalid, projectFailure } from './settings-support';

// Recorded as tale.json's cliVersion for a project the console creates: no CLI made it, and the
// upgrade migrations it gates are all recorded as applied by initProject.
const CONSOLE_CLI_VERSION = '0.0.0-console';

/**
 * `tale init` in a browser: creates tale.json, .tale/ and a .env with generated secrets. A
 * directory the CLI already set up is adopted as it is: nothing is rewritten.
 */
export function initialiseProject(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ id: string; envCreated: boolean }>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = initialiseSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const files = rt.files;
    const paths = projectPaths(files.dir);
    const by = { actor, sourceIp: caller.sourceIp };
    return rt.writes(async () => {
      const hasTaleJson = (await readOptional(paths.taleJson, files.fs)) !== null;
      const hasEnv = (await readOptional(paths.env, files.fs)) !== null;
      if (hasTaleJson && hasEnv) return { ok: false, code: 'PROJECT_EXISTS', message: 'This directory is already a Tale project; it was adopted as it is.' };
      try {
        // With a tale.json but no .env, the CLI's project keeps its id, createdAt and cliVersion.
        const existing = hasTaleJson ? await readTaleJson(files) : null;
        const { host, tlsMode, tlsEmail } = parsed.data;
        const result = await initProject(files, {
          host,
          tlsMode: tlsMode as 'selfsigned' | 'letsencrypt' | 'external',
          tlsEmail: tlsEmail || undefined,
          cliVersion: existing?.cliVersion ?? CONSOLE_CLI_VERSION,
          force: hasTaleJson,
        });
        audit(rt.db, by, 'settings.initialise', 'success', { host, tlsMode }, result.envCreated ? 'created tale.json and .env' : 'completed .env', result.id);
        return { ok: true, data: result };
      } catch (err) {
        audit(rt.db, by, 'settings.initialise', 'failure', {}, err instanceof Error ? err.message : 'failed');
        return projectFailure(err);
      }
    });
  });
}
