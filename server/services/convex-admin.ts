import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { ConvexAdminKeyDto } from '@/lib/dto/overview';
import { appendAudit } from '../db/audit-log';
import { authorize, type Caller } from '../auth/caller';
import { scrub, secretValues } from '../operations/redact-secrets';
import { containerName } from '../stack/stack-names';
import type { Runtime } from '../runtime';

// The Convex dashboard's admin key, made exactly as `tale convex admin` makes it (docs/tale-cli.md#convex-admin-key):
// `./generate-admin-key.sh` run inside a running platform container, which derives the key from
// INSTANCE_SECRET. The key is returned once to the admin who asked and never stored or logged.

/** The `   Admin Key:      <key>` line of the script's banner. */
export function adminKeyFrom(stdout: string): string | null {
  return /^\s*Admin Key:\s*(\S+)\s*$/im.exec(stdout)?.[1] ?? null;
}

/** Blue when it runs, else green, even when green is live: the CLI's order (docs/tale-cli.md#convex-admin-key). */
async function platformContainer(rt: Runtime, projectId: string): Promise<string | null> {
  for (const color of ['blue', 'green'] as const) {
    const name = containerName(projectId, 'platform', color);
    if ((await rt.docker.inspectContainer(name))?.running) return name;
  }
  return null;
}

export function convexAdminKey(rt: Runtime, caller: Caller): Promise<ActionResult<ConvexAdminKeyDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const audit = (outcome: 'success' | 'failure', message: string) =>
      appendAudit(rt.db, { actor, action: 'convex.admin_key', sourceIp: caller.sourceIp, outcome, message });
    try {
      const [projectId, env] = await Promise.all([rt.project.readProjectId(), rt.project.readEnv()]);
      const platform = await platformContainer(rt, projectId);
      if (!platform) {
        audit('failure', 'no platform container running');
        return { ok: false, code: 'PLATFORM_NOT_RUNNING', message: 'No platform container is running. Deploy the platform first.' };
      }
      const run = await rt.host.run(platform, ['./generate-admin-key.sh']);
      const key = run.exitCode === 0 ? adminKeyFrom(run.stdout) : null;
      if (!key) {
        // The script's own words (e.g. INSTANCE_SECRET must be 64 hex characters), minus any secret.
        const why = scrub((run.stderr || run.stdout).trim().split('\n').slice(-3).join(' '), secretValues(env)).slice(0, 300);
        audit('failure', `generate-admin-key.sh exited ${run.exitCode}`);
        return { ok: false, code: 'ADMIN_KEY_FAILED', message: `The platform could not generate the admin key${why ? `: ${why}` : '.'}` };
      }
      const site = (env.SITE_URL ?? '').replace(/\/+$/, '');
      audit('success', `generated in ${platform}`);
      return { ok: true, data: { key, dashboardUrl: `${site}/convex-dashboard`, deploymentUrl: site } };
    } catch (err) {
      if (!(err instanceof CodedError)) console.error('[tale-console] convex admin key failed', err);
      audit('failure', err instanceof CodedError ? err.code : 'unexpected error');
      return { ok: false, code: 'ADMIN_KEY_FAILED', message: err instanceof CodedError ? err.message : 'The platform could not generate the admin key. The console log has details.' };
    }
  });
}
