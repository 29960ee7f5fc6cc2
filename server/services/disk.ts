import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { DiskImageDto, DiskUsageDto, PrunePlanDto } from '@/lib/dto/disk';
import type { OperationDto } from '@/lib/dto/operations';
import { pruneImagesInputSchema } from '@/lib/schemas/disk';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { appendAudit } from '../db/audit-log';
import { detectActiveColor, versionOf } from '../engine/active-color';
import { underLock } from '../engine/deployment-lock';
import { planId, planImagePrune, type DiskUsage, type KeepReason, type KeptRelease, type PlannedImage, type PrunePlan } from '../engine/image-prune-plan';
import type { EnginePorts } from '../engine/ports';
import { rollbackTarget } from '../engine/release-record';
import type { Runtime } from '../runtime';
import { invalid, launch } from './operation-start';
import { registryPrefix } from './releases';

// Disk hygiene (docs/disk.md): what the stack's images and volumes take, and "Remove unused
// images", an operation that removes only what the reviewed plan listed and nothing still needs.

type Computed = { usage: DiskUsage; plan: PrunePlan; projectId: string; registry: string; live: string | null; previous: string[]; blocked: string | null };

/**
 * Everything the plan decides from, read fresh: Docker's disk usage, the live colour's version,
 * where a rollback goes, the release records and the pins. The records that count are the live
 * release's (the newest record of the live version) and the one a rollback without a version
 * picks (engine rollbackTarget: the newest record older than the live one while the records are in
 * step, else the state file's previous version), plus the state file's previous version, which
 * the CLI's `tale rollback` deploys by tag. Older records stay in the file and a rollback to them
 * still pins their digests, but it pulls them from the registry again: keeping every recorded
 * release (up to 50) on disk is what this is meant to undo.
 */
async function compute(rt: Runtime, ports: EnginePorts = rt.ports()): Promise<Computed> {
  const projectId = await ports.project.readProjectId();
  const registry = await registryPrefix(rt);
  let live: string | null = null;
  let blocked: string | null = null;
  try {
    const active = await detectActiveColor(ports.docker, ports.project, projectId);
    live = active.color ? versionOf(active.colors[active.color].containers.platform) : null;
    if (active.color && live === null) blocked = 'The live colour’s version cannot be read, so what a rollback needs cannot be told.';
  } catch (err) {
    if (!(err instanceof CodedError)) throw err;
    blocked = `The live colour cannot be told (${err.message}), so nothing is removed.`;
  }
  const records = await ports.project.readReleases();
  const digestsOf = (version: string) => records.find((r) => r.version === version)?.digests ?? {};
  const keep: KeptRelease[] = [];
  if (live) keep.push({ role: 'live', version: live, digests: digestsOf(live) });
  const previous = new Set<string>();
  try {
    previous.add((await rollbackTarget(ports.project, undefined, live)).version);
  } catch (err) {
    if (!(err instanceof CodedError)) throw err; // NO_PREVIOUS_VERSION: nothing to roll back to
  }
  const stateFile = await ports.project.readPreviousVersion();
  if (stateFile) previous.add(stateFile);
  for (const version of previous) keep.push({ role: 'previous', version, digests: digestsOf(version) });
  const override = await ports.project.readOverride();
  const pins = Object.values(override).flatMap((o) => (o?.image ? [o.image] : []));
  const usage = await rt.host.disk.usage().catch((err: unknown) => {
    throw new CodedError('DOCKER_UNAVAILABLE', `The Docker Engine did not report its disk usage: ${(err as Error).message}`);
  });
  const plan = planImagePrune({ registry, projectId, images: usage.images, containers: usage.containers, keep, records, pins });
  if (plan.otherProjects.length > 0) {
    blocked = `Another project on this host (${plan.otherProjects.join(', ')}) runs images of these repositories; which of them its rollback needs is recorded in its own directory, so nothing is removed.`;
  }
  return { usage, plan: blocked ? { ...plan, remove: [], freedBytes: 0, unknownSizes: 0, id: planId([]) } : plan, projectId, registry, live, previous: [...previous], blocked };
}

function reasonWords(r: KeepReason): string {
  switch (r.kind) {
    case 'container':
      return `used by ${r.containers.join(', ')}`;
    case 'live':
      return `the live release ${r.version}`;
    case 'previous':
      return `the previous release ${r.version}: a rollback goes there`;
    case 'newer':
      return `newer than the live release (${r.version}, pulled ahead of an upgrade)`;
    case 'pinned':
      return `pinned in compose.override.yml (${r.ref})`;
    case 'other-names':
      return `also named ${r.names[0]}${r.names.length > 1 ? ` and ${r.names.length - 1} more` : ''}, outside the stack’s repositories`;
    case 'other-project':
      return `another project uses these repositories (${r.projects.join(', ')})`;
  }
}

function imageDto(i: PlannedImage, removable: ReadonlySet<string>): DiskImageDto {
  return {
    id: i.id,
    names: i.names,
    service: i.service,
    version: i.version,
    size: i.size,
    sharedSize: i.sharedSize,
    uniqueSize: i.uniqueSize,
    created: i.created,
    releases: i.releases,
    containers: i.containers,
    remove: removable.has(i.id),
    keptBecause: i.keep.map(reasonWords),
  };
}

function planDto(c: Computed): PrunePlanDto {
  return {
    id: c.plan.id,
    images: c.plan.remove.map((i) => ({ id: i.id, names: i.names, service: i.service, version: i.version, size: i.size, uniqueSize: i.uniqueSize })),
    freedBytes: c.plan.freedBytes,
    unknownSizes: c.plan.unknownSizes,
    blocked: c.blocked,
  };
}

/** The disk page and GET /api/v1/disk (viewer). Throws the coded error when there is no project. */
export async function diskUsage(rt: Runtime, caller: Caller): Promise<DiskUsageDto> {
  requireRole(caller, 'viewer');
  const c = await compute(rt);
  const removable = new Set(c.plan.remove.map((i) => i.id));
  // The project's volumes: the CLI names them `<id>_<volume>` and labels them project=<id> (docs/tale-cli.md#names).
  const volumes = c.usage.volumes
    .filter((v) => v.labels.project === c.projectId || v.name.startsWith(`${c.projectId}_`))
    .map((v) => ({ name: v.name, size: v.size, containers: v.refCount }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    projectId: c.projectId,
    registry: c.registry,
    liveVersion: c.live,
    previousVersions: c.previous,
    images: c.plan.images.map((i) => imageDto(i, removable)),
    imagesBytes: c.plan.images.reduce((sum, i) => sum + i.size, 0),
    volumes,
    volumesBytes: volumes.reduce((sum, v) => sum + (v.size ?? 0), 0),
    buildCacheBytes: c.usage.buildCacheBytes,
    plan: planDto(c),
  };
}

const PLAN_CHANGED = {
  ok: false as const,
  code: 'DISK_PLAN_CHANGED',
  message: 'The images to remove have changed since the preview (a deploy, a pull or a new container). Review the list again.',
};

/**
 * "Remove unused images" (operator, like cleanup: it removes nothing a container, the live or the
 * previous release needs, and what it removes can be pulled again). The plan the user reviewed
 * must still be the plan now; the job computes it once more under the deployment lock and removes
 * only images that were previewed and are still unused.
 */
export function startPruneImages(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const parsed = pruneImagesInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    let now: Computed;
    try {
      now = await compute(rt);
    } catch (err) {
      if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
    const params = { planId: parsed.data.planId };
    if (now.plan.id !== parsed.data.planId) {
      appendAudit(rt.db, { actor, action: 'operations.prune-images', params, sourceIp: caller.sourceIp, outcome: 'denied', message: 'the removal plan changed since the preview' });
      return PLAN_CHANGED;
    }
    if (now.plan.remove.length === 0) return { ok: false, code: 'NOTHING_TO_REMOVE', message: now.blocked ?? 'No image of the stack is unused: there is nothing to remove.' };
    const previewed = new Map(now.plan.remove.map((i) => [i.id, i]));
    const started = { ...params, images: now.plan.remove.map((i) => i.names[0] ?? i.id), freedBytes: now.plan.freedBytes };
    return launch({ rt, caller, actor }, 'prune-images', started, (ports, signal) => pruneJob(rt, ports, previewed, signal));
  });
}

async function pruneJob(rt: Runtime, ports: EnginePorts, previewed: ReadonlyMap<string, PlannedImage>, signal: AbortSignal) {
  // Under the CLI's lock too: a CLI deploy between its pull and its start holds images no container uses yet.
  return underLock(ports, 'prune-images', async () => {
    const again = await compute(rt, ports);
    const stillUnused = new Set(again.plan.remove.map((i) => i.id));
    const before = again.usage.layersSize;
    ports.events.emit({ step: 'images', status: 'started', data: { images: previewed.size, freedBytes: [...previewed.values()].reduce((s, i) => s + (i.uniqueSize ?? 0), 0) } });
    let removed = 0;
    let kept = 0;
    let freedBytes = 0;
    for (const image of previewed.values()) {
      signal.throwIfAborted();
      const label = image.names[0] ?? image.id;
      if (!stillUnused.has(image.id)) {
        const now = again.plan.images.find((i) => i.id === image.id);
        kept += now ? 1 : 0;
        const reason = now ? now.keep.map(reasonWords).join('; ') || 'it is needed again' : 'it is already gone';
        ports.events.emit({ step: 'images', status: 'progress', data: { image: label, id: image.id, kept: true, reason } });
        continue;
      }
      const outcome = await removeNames(rt, image.names);
      if (outcome === 'in-use') {
        kept += 1;
        ports.events.emit({ step: 'images', status: 'progress', data: { image: label, id: image.id, kept: true, reason: 'a container started using it meanwhile (Docker refused)' } });
        continue;
      }
      removed += 1;
      freedBytes += image.uniqueSize ?? 0;
      ports.events.emit({ step: 'images', status: 'progress', data: { image: label, id: image.id, removed: true, bytes: image.uniqueSize } });
    }
    const after = (await rt.host.disk.usage()).layersSize;
    const result = { removed, kept, freedBytes, layersSizeBefore: before, layersSizeAfter: after };
    ports.events.emit({ step: 'images', status: 'succeeded', data: result });
    return result;
  });
}

/** Removes every name of one image; 'in-use' when Docker refused its last name because a container uses it. */
async function removeNames(rt: Runtime, names: readonly string[]): Promise<'removed' | 'in-use'> {
  for (const name of names) {
    // 'missing': removing its last tag already took the digest names with it (Docker does).
    if ((await rt.host.disk.removeImage(name)) === 'in-use') return 'in-use';
  }
  return 'removed';
}
