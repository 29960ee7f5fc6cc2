import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import { authorize, type Caller } from '../../auth/caller';
import { deploy } from '../../engine/deploy';
import { planDeploy } from '../../engine/deploy-plan';
import type { PlanOptions } from '../../engine/plan-types';
import type { Runtime } from '../../runtime';
import { gatePreview } from '../backup-gate';
import { launch } from '../operation-start';
import { currentStatus, previewDto } from '../operations';
import { pendingChanges, pendingSettings } from './settings-support';
import { SETTINGS_WRITER } from './settings';

/**
 * What one "Apply now" runs, in order, as one operation: the proxy first, recreated only when its
 * configuration hash changed (TLS, BASE_PATH, published ports; the label the deploy compares),
 * then, when the services' environment changed, a blue-green deploy of the live version. With
 * only the proxy pending, the colours are left alone (an in-place update of the proxy).
 */
export type ApplyPlan = { version: string; colors: boolean; proxy: boolean; options: PlanOptions };

export function applyPlanFor(pending: { proxy: string | null; colors: string | null }, version: string): ApplyPlan {
  const proxy = pending.proxy !== null;
  const colors = pending.colors !== null;
  // `proxy: true` even when only the colours are pending: the hash decides, so an unchanged proxy
  // keeps running and a changed one is never left behind.
  const options: PlanOptions = colors ? { version, proxy: true } : { version, services: ['proxy'] };
  return { version, colors, proxy, options };
}

async function applyTarget(rt: Runtime): Promise<ActionResult<ApplyPlan>> {
  const pending = pendingChanges(rt.db, rt.environment.id);
  if (!pending.proxy && !pending.colors) return { ok: false, code: 'NOTHING_PENDING', message: 'Every saved change is already applied.' };
  const status = await currentStatus(rt);
  const version = status.activeVersion;
  if (!version) return { ok: false, code: 'NOT_DEPLOYED', message: 'Nothing is deployed yet: the first deploy applies the settings.' };
  return { ok: true, data: applyPlanFor(pending, version) };
}

/**
 * The plan "Apply now" would run, for its confirmation dialog (which says how long the site is
 * unreachable when it replaces the proxy). An admin's, like the apply itself.
 */
export function previewApply(rt: Runtime, caller: Caller): Promise<ActionResult<PlanPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const target = await applyTarget(rt);
    if (!target.ok) return target;
    try {
      const plan = await planDeploy(rt.ports(), target.data.options);
      return { ok: true, data: previewDto(target.data.colors ? 'deploy' : 'update', plan, { backup: await gatePreview(rt, caller, plan), failedHere: null }) };
    } catch (err) {
      if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  });
}

/**
 * "Apply now": one `apply-settings` operation that recreates what the pending changes affect, at
 * the version that runs now (so never a downgrade): the proxy when its configuration changed, then
 * the colours (zero downtime). Its timeline shows both parts of the one plan. An admin's, like the
 * writes: operators deploy, and a deploy applies what an admin saved.
 */
export function applySettings(rt: Runtime, caller: Caller): Promise<ActionResult<OperationDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const target = await applyTarget(rt);
    if (!target.ok) return target;
    const { version, colors, proxy, options } = target.data;
    // launch audits the start and refuses while another operation runs (conflicts.ts).
    // The keys and pins it applies are recorded with it, so the history names them (lib/operation-purpose.ts).
    return launch({ rt, caller, actor }, 'apply-settings', { version, proxy, colors, appliesSettings: pendingSettings(rt.db, rt.environment.id) }, async (ports, signal) => {
      const r = await deploy(ports, { ...options, signal });
      return { version: r.version, color: r.color, proxyRecreated: Object.values(r.plan.specs).some((s) => s.service === 'proxy'), colors, warnings: r.warnings };
    });
  });
}
