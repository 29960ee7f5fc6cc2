import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { PreflightDto } from '@/lib/dto/preflight';
import { DEFAULT_PROXY_PORTS } from '@/lib/settings/proxy-ports';
import { authorize, type Caller } from '../auth/caller';
import { appendAudit } from '../db/audit-log';
import type { EventSink } from '../engine/ports';
import type { StackOverride } from '../stack/types';
import { runPreflight } from '../preflight/runner';
import type { PreflightContext } from '../preflight/types';
import { containerName } from '../stack/stack-names';
import type { Runtime } from '../runtime';
import type { Starter } from './operation-start';

// The preflight (docs/preflight.md): checks of the host before a deploy, on the overview, at the
// top of the deploy dialog and over GET /api/v1/preflight. A deploy, update or rollback runs them
// again here on the server before it starts (the browser's copy is never trusted): a failing check
// refuses the start with PREFLIGHT_FAILED unless the caller overrides it with a typed reason, which
// is audited with the start and shown in the operation's timeline.

/** The proxy's published port as compose would publish it: the override's entry for 80 or 443, else the base file's. */
export function publishedProxyPort(override: StackOverride | null, containerPort: 80 | 443): number {
  return override?.proxy?.ports?.find((p) => p.containerPort === containerPort)?.hostPort ?? (containerPort === 80 ? DEFAULT_PROXY_PORTS.http : DEFAULT_PROXY_PORTS.https);
}

/** What the checks need to know about the project; defaults where the deployment directory says nothing yet. */
async function context(rt: Runtime): Promise<PreflightContext> {
  const soft = async <T>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (err) {
      // No project yet or a file that does not parse: the checks run on the defaults.
      if (err instanceof CodedError) return null;
      throw err;
    }
  };
  const [projectId, env, override] = await Promise.all([soft(() => rt.project.readProjectId()), soft(() => rt.project.readEnv()), soft(() => rt.project.readOverride())]);
  return {
    projectId,
    proxyContainer: projectId ? containerName(projectId, 'proxy', null) : null,
    httpPort: publishedProxyPort(override, 80),
    httpsPort: publishedProxyPort(override, 443),
    tlsMode: env?.TLS_MODE ?? null,
    host: env?.HOST ?? null,
    deployDir: rt.env.deployDir,
    ...(rt.env.preflightDataRoot ? { dataRootOverride: rt.env.preflightDataRoot } : {}),
  };
}

/** Runs every check now. */
export async function checkPreflight(rt: Runtime): Promise<PreflightDto> {
  return runPreflight(rt.preflight, await context(rt));
}

/** The preflight for the overview, the dialog and the API: any signed-in user may read it. */
export function getPreflight(rt: Runtime, caller: Caller): Promise<ActionResult<PreflightDto>> {
  return authorize(caller, 'viewer', async () => ({ ok: true, data: await checkPreflight(rt) }));
}

export type PreflightOverride = { reason: string };

/** The override as it goes into the start's params (audit row, history): the reason and what it overrode. */
export type PreflightPass = { params: Record<string, unknown>; preflight: PreflightDto; overridden: PreflightOverride | null };

/**
 * The server's own preflight before a deploy, update or rollback. Null refusal when nothing
 * fails, or when the caller overrides with a reason (the failing checks go into the params with
 * it); otherwise PREFLIGHT_FAILED naming the failing checks and how to override, audited.
 */
export async function preflightGate(
  { rt, caller, actor }: Starter,
  kind: 'deploy' | 'update' | 'rollback' | 'promote',
  override: PreflightOverride | undefined,
  params: Record<string, unknown>,
  /** The audit action of a refusal: a promotion's starts and refusals are all `deployment.promote`. */
  action = `operations.${kind}`,
): Promise<{ refused: ActionResult<never> } | PreflightPass> {
  const preflight = await checkPreflight(rt);
  const failing = preflight.checks.filter((c) => c.status === 'fail');
  if (failing.length === 0) return { params, preflight, overridden: null };
  if (override) return { params: { ...params, overridePreflight: { reason: override.reason, failing: failing.map((c) => c.id) } }, preflight, overridden: override };
  const names = failing.map((c) => `${c.title}: ${c.summary}`).join(' ');
  const what = kind === 'promote' ? 'promotion' : kind;
  appendAudit(rt.db, { actor, action, params, sourceIp: caller.sourceIp, outcome: 'denied', message: `preflight failed: ${failing.map((c) => c.id).join(', ')}` });
  return {
    refused: {
      ok: false,
      code: 'PREFLIGHT_FAILED',
      message: `The preflight failed, so the ${what} did not start and nothing was changed. ${names} Fix it and try again, or start the ${what} with the preflight overridden and a reason ("overridePreflight": {"reason": "…"}, or "override with a reason" in the dialog).`,
    },
  };
}

/** The timeline's first word on the preflight: what passed, or what was overridden and why. */
export function emitPreflight(events: EventSink, pass: PreflightPass): void {
  const failing = pass.preflight.failing;
  if (pass.overridden) events.emit({ step: 'preflight', status: 'skipped', data: { failing, reason: pass.overridden.reason } });
  else events.emit({ step: 'preflight', status: 'succeeded', data: { warnings: pass.preflight.checks.filter((c) => c.status === 'warn' || c.status === 'unknown').map((c) => c.id) } });
}
