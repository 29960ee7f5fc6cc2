import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto, StackStatusDto } from '@/lib/dto/operations';
import { APPLIES_SETTINGS } from '@/lib/operation-purpose';
import { cleanupInputSchema, deployInputSchema, operationIdSchema, previewInputSchema, resetInputSchema, rollbackInputSchema, updateInputSchema } from '@/lib/schemas/operations';
import { deploy, rollback } from '../engine/deploy';
import { planDeploy, planRollback } from '../engine/deploy-plan';
import type { DeployPlan } from '../engine/plan-types';
import { PROXY_RESTART_SECONDS } from '../engine/proxy-restart';
import { volumeSpecs } from '../stack/generate-stack';
import { describeStep, isDowngrade } from './plan-preview';
import { liveVersion, registryTags } from './releases';
import { backupGate, gatePreview, noRepositoryError, noRepositoryYet } from './backup-gate';
import { failedReleases } from './failed-releases';
import { prePulledDigests } from './pre-pull';
import { cleanup } from '../engine/cleanup';
import { reset } from '../engine/reset';
import { stackStatus } from '../engine/stack-status';
import { appendAudit } from '../db/audit-log';
import { authorize, type Caller } from '../auth/caller';
import { getOperation, listOperations, runningOperation, toOperationDto } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { checkPreflight, emitPreflight, preflightGate } from './preflight';
import { confirmProject, invalid, launch, projectId, WRONG_PROJECT, type Starter } from './operation-start';

// The operations a user starts from the console or the API. Each takes the runtime and the caller
// (read at the edge) and checks the role itself, so a unit test sees the same gate as a request.


/**
 * The backup gate's one refusal before anything starts: the version would change (or it is a
 * rollback), the backup is not skipped, and no backup repository exists yet (its first backup is
 * an admin's). Audited. The job checks again on its exact plan; this answers at once instead of
 * starting an operation that can only fail.
 */
async function refuseWithoutRepository(
  { rt, caller, actor }: Starter,
  kind: 'deploy' | 'update' | 'rollback',
  input: { version?: string; skipBackup?: { reason: string } },
  params: Record<string, unknown>,
): Promise<ActionResult<never> | null> {
  if (input.skipBackup || !(await noRepositoryYet(rt))) return null;
  const live = await liveVersion(rt);
  if (live === null) return null;
  if (kind !== 'rollback' && (await targetVersion(rt, input.version)) === live) return null;
  const refusal = noRepositoryError(kind);
  appendAudit(rt.db, { actor, action: `operations.${kind}`, params, sourceIp: caller.sourceIp, outcome: 'denied', message: 'no backup repository yet for the pre-upgrade backup' });
  return { ok: false, code: refusal.code, message: refusal.message };
}

/** Params of a gated start: the skip reason goes into the audit row and the history with them. */
const withSkip = (params: Record<string, unknown>, skipBackup: { reason: string } | undefined) => (skipBackup ? { ...params, skipBackup } : params);

/**
 * The browser's schema-compatibility confirmation, enforced here so the API and the dialog share
 * it: a deploy or in-place update to a version older than the live one needs `allowDowngrade`
 * (the same isDowngrade the dialog's plan shows). A rollback is that request by its name and
 * needs no flag. No version means the registry's newest, as the engine picks it.
 * Null when the start may go ahead; otherwise the refusal, audited.
 */
async function refuseUnconfirmedDowngrade(
  { rt, caller, actor }: Starter,
  kind: 'deploy' | 'update',
  input: { version?: string; allowDowngrade: boolean },
  params: Record<string, unknown>,
): Promise<ActionResult<never> | null> {
  if (input.allowDowngrade) return null;
  const live = await liveVersion(rt);
  if (live === null) return null;
  const target = await targetVersion(rt, input.version);
  if (target === null || !isDowngrade(target, live)) return null;
  appendAudit(rt.db, { actor, action: `operations.${kind}`, params, sourceIp: caller.sourceIp, outcome: 'denied', message: `downgrade from ${live} to ${target} not confirmed` });
  return {
    ok: false,
    code: 'DOWNGRADE_NOT_CONFIRMED',
    message: `${target} is older than the live version ${live}. Convex data and indexes are not rolled back: the older code runs on the newer data. Send "allowDowngrade": true to go ahead.`,
  };
}

/** The version a start without one would deploy: the registry's newest, as the engine picks it; null when it cannot be asked. */
async function targetVersion(rt: Runtime, version: string | undefined): Promise<string | null> {
  if (version !== undefined) return version;
  try {
    return (await registryTags(rt))[0] ?? null;
  } catch (err) {
    // The registry cannot be asked: the operation fails at its own resolve step.
    if (err instanceof CodedError) return null;
    throw err;
  }
}

/**
 * A release that failed its health gate here is deployed again only with `retryFailedRelease`
 * (failed-releases.ts), so neither a click nor a script repeats a known failure by accident.
 * Null when the start may go ahead; otherwise the refusal, audited.
 */
async function refuseUnconfirmedRetry(
  { rt, caller, actor }: Starter,
  input: { version?: string; retryFailedRelease: boolean },
  params: Record<string, unknown>,
): Promise<ActionResult<never> | null> {
  if (input.retryFailedRelease) return null;
  const target = await targetVersion(rt, input.version);
  const failed = target === null ? undefined : failedReleases(rt.db, rt.environment.id).get(target);
  if (!failed || target === null) return null;
  appendAudit(rt.db, { actor, action: 'operations.deploy', params, sourceIp: caller.sourceIp, outcome: 'denied', message: `retry of ${target}, which failed here, not confirmed` });
  return {
    ok: false,
    code: 'FAILED_RELEASE_NOT_CONFIRMED',
    message: `${target} failed its health check on this host (operation ${failed.operationId}, ${failed.code}). Send "retryFailedRelease": true to try it again on purpose.`,
  };
}

/**
 * Why a service started an operation on its own behalf, recorded in its params (never from user
 * input): "Apply now" names the settings it applies (lib/operation-purpose.ts reads it).
 */
export type StartedFor = { [APPLIES_SETTINGS]?: string[] };

/** Deploy (or, with dryRun, only plan) a version; the newest in the registry when none is given. */
export function startDeploy(rt: Runtime, caller: Caller, raw: unknown, startedFor: StartedFor = {}): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = deployInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { version, all, dryRun, allowDowngrade, retryFailedRelease } = parsed.data;
    if (dryRun) {
      return launch(by, 'dry-run', { version, all }, async (ports) => {
        const plan = await planDeploy(ports, { version, all });
        return { version: plan.version, targetColor: plan.targetColor, activeColor: plan.activeColor, steps: plan.steps, warnings: plan.warnings };
      });
    }
    const { skipBackup } = parsed.data;
    const params = withSkip({ version, all, ...(allowDowngrade ? { allowDowngrade } : {}), ...(retryFailedRelease ? { retryFailedRelease } : {}), ...startedFor }, skipBackup);
    const refused =
      (await refuseUnconfirmedDowngrade(by, 'deploy', parsed.data, params)) ?? (await refuseUnconfirmedRetry(by, parsed.data, params)) ?? (await refuseWithoutRepository(by, 'deploy', parsed.data, params));
    if (refused) return refused;
    const checked = await preflightGate(by, 'deploy', parsed.data.overridePreflight, params);
    if ('refused' in checked) return checked.refused;
    return launch(by, 'deploy', checked.params, async (ports, signal) => {
      emitPreflight(ports.events, checked);
      const gate = backupGate(rt, ports, { kind: 'deploy', actor: actor.email, skip: skipBackup, signal });
      const r = await deploy(ports, { version, all, signal, beforeChanges: gate.beforeChanges, prePulled: prePulledDigests(rt) });
      return { version: r.version, color: r.color, previousVersion: r.previousVersion, warnings: r.warnings, ...gate.result() };
    });
  });
}

export function startRollback(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = rollbackInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { version, skipBackup } = parsed.data;
    const params = withSkip({ version }, skipBackup);
    const refused = await refuseWithoutRepository(by, 'rollback', parsed.data, params);
    if (refused) return refused;
    const checked = await preflightGate(by, 'rollback', parsed.data.overridePreflight, params);
    if ('refused' in checked) return checked.refused;
    return launch(by, 'rollback', checked.params, async (ports, signal) => {
      emitPreflight(ports.events, checked);
      const gate = backupGate(rt, ports, { kind: 'rollback', actor: actor.email, skip: skipBackup, signal });
      const r = await rollback(ports, { version, signal, beforeChanges: gate.beforeChanges, prePulled: prePulledDigests(rt) });
      return { version: r.version, color: r.color, previousVersion: r.previousVersion, warnings: r.warnings, ...gate.result() };
    });
  });
}

/**
 * In-place update of named services in the live colour (engine update-plan), or with dryRun only
 * its plan. The version defaults to the newest release, as for a deploy.
 */
export function startUpdate(rt: Runtime, caller: Caller, raw: unknown, startedFor: StartedFor = {}): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = updateInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { services, version, dryRun, allowDowngrade } = parsed.data;
    if (dryRun) {
      return launch(by, 'dry-run', { version, services }, async (ports) => {
        const plan = await planDeploy(ports, { version, services });
        return { version: plan.version, targetColor: plan.targetColor, activeColor: plan.activeColor, services, steps: plan.steps, warnings: plan.warnings };
      });
    }
    const { skipBackup } = parsed.data;
    const params = withSkip({ version, services, ...(allowDowngrade ? { allowDowngrade } : {}), ...startedFor }, skipBackup);
    const refused = (await refuseUnconfirmedDowngrade(by, 'update', parsed.data, params)) ?? (await refuseWithoutRepository(by, 'update', parsed.data, params));
    if (refused) return refused;
    const checked = await preflightGate(by, 'update', parsed.data.overridePreflight, params);
    if ('refused' in checked) return checked.refused;
    return launch(by, 'update', checked.params, async (ports, signal) => {
      emitPreflight(ports.events, checked);
      const gate = backupGate(rt, ports, { kind: 'update', actor: actor.email, skip: skipBackup, signal });
      const r = await deploy(ports, { version, services, signal, beforeChanges: gate.beforeChanges, prePulled: prePulledDigests(rt) });
      return { version: r.version, color: r.color, previousVersion: r.previousVersion, services, warnings: r.warnings, ...gate.result() };
    });
  });
}

/**
 * The plan of a deploy, in-place update or rollback, computed read-only for the dialog to show
 * before the user confirms (the dry-run operation records the same plan in the history).
 */
export function previewPlan(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PlanPreviewDto>> {
  return authorize(caller, 'operator', async () => {
    const parsed = previewInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const input = parsed.data;
    const ports = rt.ports();
    try {
      const plan =
        input.kind === 'rollback'
          ? await planRollback(ports, { version: input.version })
          : await planDeploy(ports, input.kind === 'update' ? { version: input.version, services: input.services } : { version: input.version, all: input.all });
      return { ok: true, data: previewDto(input.kind, plan, {
          backup: await gatePreview(rt, caller, plan),
          failedHere: input.kind === 'deploy' ? (failedReleases(rt.db, rt.environment.id).get(plan.version) ?? null) : null,
          preflight: await checkPreflight(rt),
        }) };
    } catch (err) {
      if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  });
}

/** A computed plan as the dialogs show it before the user confirms. */
export function previewDto(kind: PlanPreviewDto['kind'], plan: DeployPlan, checks: Pick<PlanPreviewDto, 'backup' | 'failedHere'> & { preflight?: PlanPreviewDto['preflight'] }): PlanPreviewDto {
  return {
    kind,
    version: plan.version,
    liveVersion: plan.liveVersion,
    activeColor: plan.activeColor,
    targetColor: plan.targetColor,
    steps: plan.steps.map(describeStep),
    warnings: plan.warnings,
    downgrade: kind === 'rollback' || isDowngrade(plan.version, plan.liveVersion),
    proxyRestartSeconds: plan.proxyRestart ? PROXY_RESTART_SECONDS : null,
    preflight: null,
    ...checks,
  };
}

/** What the reset dialog shows before the second confirmation: the project id and its volumes. */
export async function resetTargets(rt: Runtime): Promise<{ projectId: string | null; volumes: string[] }> {
  const id = await projectId(rt);
  return { projectId: id, volumes: id ? volumeSpecs(id).map((v) => v.name) : [] };
}

/**
 * Removes the inactive colour. The console's form sends the typed project id, which must match;
 * the HTTP API may omit it (a token holder has already confirmed by scripting the call).
 */
export function startCleanup(rt: Runtime, caller: Caller, raw: unknown = {}): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = cleanupInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const typed = parsed.data.projectId;
    if (typed !== undefined && !(await confirmProject(by, 'operations.cleanup', typed, {}))) return WRONG_PROJECT;
    return launch(by, 'cleanup', {}, async (ports) => cleanup(ports));
  });
}

/**
 * Removes the stack's containers (with `all` the stateful ones and the network, with `volumes`
 * every database row and upload too). Always needs the typed project id, checked here and not
 * only in the browser.
 */
export function startReset(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = resetInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { projectId: typed, all, volumes } = parsed.data;
    if (!(await confirmProject(by, 'operations.reset', typed, { all, volumes }))) return WRONG_PROJECT;
    return launch(by, 'reset', { all, volumes }, async (ports) => reset(ports, { all, volumes }));
  });
}

export function cancel(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<undefined>> {
  return authorize(caller, 'operator', async (actor) => {
    const id = operationIdSchema.safeParse(raw);
    if (!id.success) return invalid(id.error);
    const done = rt.operations.cancel(id.data);
    appendAudit(rt.db, { actor, action: 'operations.cancel', target: id.data, sourceIp: caller.sourceIp, outcome: done ? 'success' : 'failure' });
    return done ? { ok: true, data: undefined } : { ok: false, code: 'NOT_RUNNING', message: 'That operation is no longer running.' };
  });
}

export function operations(rt: Runtime): OperationDto[] {
  return listOperations(rt.db, rt.environment.id).map(toOperationDto);
}

export function operation(rt: Runtime, id: string): OperationDto | null {
  const parsed = operationIdSchema.safeParse(id);
  const row = parsed.success ? getOperation(rt.db, parsed.data) : undefined;
  return row ? toOperationDto(row) : null;
}

/** The stack as Docker and the state files see it, for the overview and the API. */
export async function currentStatus(rt: Runtime): Promise<StackStatusDto> {
  const running = runningOperation(rt.db, rt.environment.id);
  const base = { running: running ? toOperationDto(running) : null };
  const engine = await rt.host.status();
  if (!engine.reachable) {
    return { ...base, initialised: false, activeColor: null, activeVersion: null, previousVersion: null, containers: [], warnings: [], engine: { reachable: false, message: engine.reason } };
  }
  try {
    const s = await stackStatus(rt.docker, rt.project);
    const active = s.containers.find((c) => c.active && c.service === 'platform');
    return {
      ...base,
      initialised: true,
      activeColor: s.activeColor,
      activeVersion: active?.version ?? null,
      previousVersion: s.previousVersion,
      containers: s.containers.map((c) => ({
        service: c.service,
        color: c.color,
        name: c.name,
        status: c.status,
        health: c.health,
        version: c.version,
        digest: c.digest,
        startedAt: c.startedAt,
        restartCount: c.restartCount,
        active: c.active,
      })),
      warnings: s.warnings,
      engine: { reachable: true, version: engine.version },
    };
  } catch (err) {
    if (err instanceof CodedError) {
      return { ...base, initialised: false, activeColor: null, activeVersion: null, previousVersion: null, containers: [], warnings: [err.message], engine: { reachable: true, version: engine.version } };
    }
    throw err;
  }
}
