import { containerName, networkName, otherColor } from '@/server/stack/stack-names';
import type { Color, RotatableService } from '@/server/stack/types';
import { ROTATABLE_SERVICES } from '@/server/stack/types';
import { colorContainerNames } from './active-color';
import { underLock } from './deployment-lock';
import { engineSettings } from './engine-settings';
import { RETIRE_ORDER } from './plan-steps';
import type { ContainerDetails, EnginePorts, LockInspection } from './ports';
import { UPDATE_SUFFIX } from './update-plan';

// Start-up reconciliation: the console may have been killed (SIGKILL, OOM, host crash) at any step
// of a deploy, rollback or in-place update. Docker keeps whatever was half done. This brings the
// stack back to the engine's invariants without ever touching what serves the site:
// - exactly one colour answers to the shared names (`platform`, `rag`, `crawler`) the proxy and
//   the services use, and the state file names it;
// - each colour's containers under their real names (an update killed between its two renames
//   leaves the serving replacement as `-next`: it gets the real name, as the update would have);
// - no half-created candidate (a target colour that never passed the gate, an update's `-next`);
// - no switched-but-unretired old colour (it is retired gracefully, as the deploy would have);
// - no lock file left by a dead holder.
// Stateful containers (db, proxy, convex) are never touched.

export type ReconcileAction =
  | { action: 'remove'; container: string; reason: string }
  | { action: 'retire'; container: string; reason: string; graceSeconds: number }
  | { action: 'rename'; container: string; to: string; reason: string }
  | { action: 'write-state'; color: Color; reason: string };

export interface ReconcilePlan {
  projectId: string;
  /** The colour that serves and stays; null when none can be called live with confidence. */
  liveColor: Color | null;
  lock: LockInspection;
  actions: ReconcileAction[];
  warnings: string[];
}

export interface ReconcileResult extends ReconcilePlan {
  lockReleased: boolean;
  /** True when a live or unreadable lock meant another tool may be mid-deploy: nothing was changed. */
  skipped: boolean;
}

interface Seen {
  name: string;
  service: RotatableService | null;
  /** The colour's canonical container for its service (not `-next`, `-retiring`, …). */
  main: boolean;
  details: ContainerDetails;
}

const SHARED = new Set<string>(ROTATABLE_SERVICES);

function serviceOf(details: ContainerDetails, projectId: string, color: Color): RotatableService | null {
  const key = details.labels['com.docker.compose.service'] ?? '';
  for (const svc of ROTATABLE_SERVICES) {
    if (key === `${svc}-${color}` || details.name.startsWith(`${containerName(projectId, svc, color)}`)) return svc;
  }
  return null;
}

async function containersOf(ports: EnginePorts, projectId: string, color: Color): Promise<Seen[]> {
  const { docker } = ports;
  const seen: Seen[] = [];
  for (const name of await colorContainerNames(docker, projectId, color)) {
    const details = await docker.inspectContainer(name);
    if (!details) continue;
    const service = serviceOf(details, projectId, color);
    seen.push({ name: details.name, service, main: service !== null && details.name === containerName(projectId, service, color), details });
  }
  return seen;
}

/** Answers to a shared name the proxy or the services route to. */
function holdsSharedName(c: Seen, network: string): boolean {
  return (c.details.networks[network]?.aliases ?? []).some((a) => SHARED.has(a));
}

function serving(c: Seen, network: string): boolean {
  return c.details.running && holdsSharedName(c, network);
}

/** All three services of the colour run under their shared names (healthy too, with `healthy`). */
function whole(seen: Seen[], network: string, healthy: boolean): boolean {
  return ROTATABLE_SERVICES.every((svc) => {
    const c = seen.find((x) => x.main && x.service === svc);
    if (!c?.details.running || !(c.details.networks[network]?.aliases ?? []).includes(svc)) return false;
    return !healthy || c.details.health === 'healthy' || c.details.health === 'none';
  });
}

function startedAt(seen: Seen[]): number {
  const platform = seen.find((x) => x.main && x.service === 'platform');
  return Date.parse(platform?.details.startedAt ?? '') || Number.MAX_SAFE_INTEGER;
}

/**
 * An in-place update renames the old container aside, then its switched replacement from `-next`
 * to the real name. Killed in between, the replacement serves but is no colour's main container.
 * It passed the gate (it holds the shared name), so it is promoted: renamed, and counted as main.
 */
function promoteSwitchedReplacements(seen: Seen[], projectId: string, color: Color, network: string): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  for (const svc of ROTATABLE_SERVICES) {
    const main = containerName(projectId, svc, color);
    if (seen.some((x) => x.main && x.service === svc)) continue;
    const replacement = seen.find((x) => x.name === `${main}${UPDATE_SUFFIX}` && serving(x, network));
    if (!replacement) continue;
    actions.push({ action: 'rename', container: replacement.name, to: main, reason: 'an update was interrupted between its renames' });
    Object.assign(replacement, { name: main, main: true, details: { ...replacement.details, name: main } });
  }
  return actions;
}

const byRetireOrder = (a: Seen, b: Seen) =>
  RETIRE_ORDER.indexOf(a.service ?? 'crawler') - RETIRE_ORDER.indexOf(b.service ?? 'crawler');

/** Reads Docker, the state file and the lock; changes nothing. `ownLock`: we hold the lock ourselves. */
export async function planReconcile(ports: EnginePorts, options: { ownLock?: boolean } = {}): Promise<ReconcilePlan> {
  const { project } = ports;
  const projectId = await project.readProjectId();
  const settings = engineSettings(await project.readEnv());
  const network = networkName(projectId);
  const stateFile = await project.readDeploymentColor();
  const lock = await project.inspectLock();
  const colors: Record<Color, Seen[]> = {
    blue: await containersOf(ports, projectId, 'blue'),
    green: await containersOf(ports, projectId, 'green'),
  };
  const actions: ReconcileAction[] = [
    ...promoteSwitchedReplacements(colors.blue, projectId, 'blue', network),
    ...promoteSwitchedReplacements(colors.green, projectId, 'green', network),
  ];
  const warnings: string[] = [];

  // The live colour. The one the state file names, if all its services run under their shared
  // names: the engine gives those names only after the health gate and writes the file right after
  // the switch (the CLI writes it only after its health wait), so that colour passed the gate; a
  // momentary health blip under load must not undo a finished switch. Killed between the switch
  // and the state write, the file still names the old colour, which then stays. Otherwise a colour
  // that is whole and healthy; of two, the one that has served longest. The other colour always
  // goes by a graceful stop, which measured hitless.
  const named = stateFile.color && whole(colors[stateFile.color], network, false) ? stateFile.color : null;
  const qualifying = (['blue', 'green'] as const).filter((c) => whole(colors[c], network, true));
  let live: Color | null = named;
  if (!live && qualifying.length === 1) live = qualifying[0] ?? null;
  else if (!live && qualifying.length === 2) live = startedAt(colors.blue) <= startedAt(colors.green) ? 'blue' : 'green';

  const dispose = (c: Seen, reason: string) => {
    // Whatever still answers to a shared name may carry requests: it gets the drain a retire gets.
    if (serving(c, network)) actions.push({ action: 'retire', container: c.name, reason, graceSeconds: settings.drainTimeoutSeconds });
    else actions.push({ action: 'remove', container: c.name, reason });
  };

  if (live) {
    const other = otherColor(live);
    for (const c of [...colors[other]].sort(byRetireOrder)) {
      dispose(c, serving(c, network) ? `${other} still serves beside the live ${live}` : `left over by an interrupted operation on ${other}`);
    }
    for (const c of colors[live].filter((x) => !x.main).sort(byRetireOrder)) dispose(c, `stray beside the live ${live}`);
    if (stateFile.color !== live) {
      actions.push({ action: 'write-state', color: live, reason: stateFile.invalid ? 'the state file was unreadable' : `the state file named ${stateFile.color ?? 'nothing'}` });
    }
  } else {
    // No colour is whole (e.g. the stack is still starting after a reboot, or a live container is
    // restarting): nothing that serves or once served is touched. Only a colour that never got a
    // shared name, and that the state file does not name, is a half-created candidate.
    for (const color of ['blue', 'green'] as const) {
      const seen = colors[color];
      if (seen.length === 0) continue;
      if (color !== stateFile.color && !seen.some((c) => holdsSharedName(c, network))) {
        for (const c of seen) actions.push({ action: 'remove', container: c.name, reason: `half-created ${color}: it never passed the health gate` });
      } else {
        warnings.push(`${color} is not fully running and healthy; left as it is`);
      }
    }
    const servingColors = (['blue', 'green'] as const).filter((c) => colors[c].some((x) => x.main && x.service === 'platform' && serving(x, network)));
    const only = servingColors.length === 1 ? servingColors[0] : undefined;
    if (only && stateFile.color !== only) {
      actions.push({ action: 'write-state', color: only, reason: `${only} is the only colour the proxy can reach` });
    }
  }
  if (options.ownLock) return { projectId, liveColor: live, lock, actions, warnings };
  if (lock.state === 'corrupt') warnings.push('The deployment lock file is unreadable; nothing was changed. Clear it once no deploy runs.');
  if (lock.state === 'held' && !lock.stale) {
    warnings.push(`A deploy holds the lock (PID ${lock.holder.pid}, ${lock.holder.command}); nothing was changed`);
  }
  return { projectId, liveColor: live, lock, actions, warnings };
}

/** Whether a start-up run has anything to do. */
export function needsReconcile(plan: ReconcilePlan): boolean {
  return plan.actions.length > 0 || (plan.lock.state === 'held' && plan.lock.stale);
}

/**
 * Applies `planReconcile` under the deployment lock, after removing a lock whose holder is gone.
 * Never throws for one container: each failure is a warning, the rest still runs.
 */
export async function reconcile(ports: EnginePorts): Promise<ReconcileResult> {
  const { docker, project, events } = ports;
  events.emit({ step: 'reconcile', status: 'started' });
  // Only the lock decides whether to go on; the stack is read once, under the lock (or to report a skip).
  const lock = await project.inspectLock();
  let lockReleased = false;
  if (lock.state === 'held' && lock.stale) {
    lockReleased = await project.removeStaleLock(lock.holder);
    if (lockReleased) events.emit({ step: 'reconcile', status: 'progress', data: { lockReleased: lock.holder } });
  } else if (lock.state !== 'absent') {
    const before = await planReconcile(ports);
    events.emit({ step: 'reconcile', status: 'skipped', data: { warnings: before.warnings } });
    return { ...before, lockReleased, skipped: true };
  }

  const plan = await underLock(ports, 'reconcile', () => planReconcile(ports, { ownLock: true }).then(async (p) => {
    const warnings = [...p.warnings];
    const act = async (a: ReconcileAction) => {
      try {
        if (a.action === 'remove') await docker.removeContainer(a.container);
        else if (a.action === 'rename') await docker.renameContainer(a.container, a.to);
        else if (a.action === 'retire') {
          await docker.stopContainer(a.container, a.graceSeconds);
          await docker.removeContainer(a.container);
        } else await project.writeDeploymentColor(a.color);
        events.emit({ step: 'reconcile', status: 'progress', data: { ...a } });
      } catch (err) {
        const message = `${a.action} ${'container' in a ? a.container : a.color} failed: ${(err as Error).message}`;
        warnings.push(message);
        events.emit({ step: 'reconcile', status: 'warning', data: { ...a, message } });
      }
    };
    // Renames come first in the plan: a promoted replacement has its real name before anything stops.
    const removals = p.actions.filter((a) => a.action !== 'retire');
    for (const a of removals) await act(a);
    // As a deploy's retire: the entry point first, so the proxy re-dials while the backends still answer.
    const retires = p.actions.filter((a) => a.action === 'retire');
    const entry = retires.filter((a) => a.container.includes('-platform-'));
    await Promise.all(entry.map(act));
    await Promise.all(retires.filter((a) => !entry.includes(a)).map(act));
    return { ...p, warnings };
  }));
  events.emit({
    step: 'reconcile',
    status: 'succeeded',
    data: { liveColor: plan.liveColor, actions: plan.actions.length, lockReleased, warnings: plan.warnings },
  });
  return { ...plan, lockReleased, skipped: false };
}
