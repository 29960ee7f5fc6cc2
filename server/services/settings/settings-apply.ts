import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import { authorize, type Caller } from '../../auth/caller';
import type { Runtime } from '../../runtime';
import { currentStatus, previewPlan, startDeploy, startUpdate } from '../operations';
import { pendingChanges, pendingSettings } from './settings-support';
import { SETTINGS_WRITER } from './settings';

/** What "Apply now" starts: the proxy in place when it has pending changes, else the colors. */
type Target = { kind: 'update'; version: string; services: ['proxy'] } | { kind: 'deploy'; version: string };

async function applyTarget(rt: Runtime): Promise<ActionResult<Target>> {
  const pending = pendingChanges(rt.db);
  if (!pending.proxy && !pending.colors) return { ok: false, code: 'NOTHING_PENDING', message: 'Every saved change is already applied.' };
  const status = await currentStatus(rt);
  const version = status.activeVersion;
  if (!version) return { ok: false, code: 'NOT_DEPLOYED', message: 'Nothing is deployed yet: the first deploy applies the settings.' };
  return { ok: true, data: pending.proxy ? { kind: 'update', version, services: ['proxy'] } : { kind: 'deploy', version } };
}

/**
 * The plan "Apply now" would run, for its confirmation dialog (which says how long the site is
 * unreachable when it replaces the proxy). An admin's, like the apply itself.
 */
export function previewApply(rt: Runtime, caller: Caller): Promise<ActionResult<PlanPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const target = await applyTarget(rt);
    return target.ok ? previewPlan(rt, caller, target.data) : target;
  });
}

/**
 * "Apply now": recreates what the pending changes affect, at the version that runs now. The proxy
 * first (an in-place update, the only way its TLS and BASE_PATH change), then, on the next click,
 * the colors (a blue-green deploy, zero downtime): one mutating operation runs at a time. An admin's,
 * like the writes: operators deploy, and a deploy applies what an admin saved.
 */
export function applySettings(rt: Runtime, caller: Caller): Promise<ActionResult<OperationDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const target = await applyTarget(rt);
    if (!target.ok) return target;
    const { kind, ...input } = target.data;
    // Recorded with the operation, so the history says "Apply settings: TLS_MODE" instead of "update 1.0.0".
    const purpose = { appliesSettings: pendingSettings(rt.db) };
    // The operations services check the role again, audit and refuse while another operation runs.
    return kind === 'update' ? startUpdate(rt, caller, input, purpose) : startDeploy(rt, caller, input, purpose);
  });
}
