import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto } from '@/lib/dto/operations';
import { authorize, type Caller } from '../../auth/caller';
import type { Runtime } from '../../runtime';
import { currentStatus, startDeploy, startUpdate } from '../operations';
import { pendingChanges } from './settings-support';
import { SETTINGS_WRITER } from './settings';

/**
 * "Apply now": recreates what the pending changes affect, at the version that runs now. The proxy
 * first (an in-place update, the only way its TLS and BASE_PATH change), then, on the next click,
 * the colors (a blue-green deploy, zero downtime): one mutating operation runs at a time. An admin's,
 * like the writes: operators deploy, and a deploy applies what an admin saved.
 */
export function applySettings(rt: Runtime, caller: Caller): Promise<ActionResult<OperationDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const pending = pendingChanges(rt.db);
    if (!pending.proxy && !pending.colors) return { ok: false, code: 'NOTHING_PENDING', message: 'Every saved change is already applied.' };
    const status = await currentStatus(rt);
    const version = status.activeVersion;
    if (!version) return { ok: false, code: 'NOT_DEPLOYED', message: 'Nothing is deployed yet: the first deploy applies the settings.' };
    // The operations services check the role again, audit and refuse while another operation runs.
    return pending.proxy ? startUpdate(rt, caller, { services: ['proxy'], version }) : startDeploy(rt, caller, { version });
  });
}
