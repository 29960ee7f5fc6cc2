import 'server-only';
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { PrePullStatusDto } from '@/lib/dto/pre-pull';
import { pullProgress } from '@/lib/pull-progress';
import { compareVersions } from '@/lib/version-order';
import { parseVersion } from '@/lib/version-tag';
import { prePullSettingSchema } from '@/lib/schemas/pre-pull';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { appendAudit } from '../db/audit-log';
import { readSetting, writeSetting } from '../db/console-settings';
import { consoleSettings } from '../db/schema/console-settings';
import { operations, type OperationRow } from '../db/schema/operations';
import type { EnginePorts } from '../engine/ports';
import { imageRef } from '../stack/generate-stack';
import { ALL_SERVICES } from '../stack/types';
import { eventsAfter, toEventDto } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { failedReleases } from './failed-releases';
import { invalid } from './operation-start';
import { liveVersion, newerRelease, registryPrefix, registryTags } from './releases';

// Background pre-pull (docs/architecture.md#background-pre-pull). Tale's images are large and a pull
// can take minutes, so the images of the release the overview offers as the upgrade are pulled
// before anyone clicks: the upgrade then only starts containers (the engine skips a pull whose
// digest is already here). A watcher of the runtime, started once at boot, runs a round at start,
// every `intervalMinutes`, and right after a deploy, rollback or update ends. A round picks the
// newest complete release above the live one that has not failed here (the one-click upgrade's
// rule, releases.ts newerRelease), resolves its six digests as a deploy would, and when one of them
// is not on this host starts a `pre-pull` operation of the system (actor null, no audit row, like
// a scheduled backup). Nothing to pull starts nothing, so the history is not filled every 15
// minutes. A failed pull is a failed operation with its cause, tried again next round; it never
// blocks a deploy (a pre-pull conflicts only with another pre-pull).

const SETTING = 'releases.prepull';
const settingSchema = z.strictObject({ enabled: z.boolean(), intervalMinutes: z.number().int().min(5).max(1440) });
export const DEFAULT_PRE_PULL = { enabled: true, intervalMinutes: 15 } as const;
type Setting = z.infer<typeof settingSchema>;

/** How often the watcher looks for a finished deploy (one SQL query) and whether a round is due. */
const TICK_MS = 15_000;
/** The first round after start: after the start-up reconcile, not in the way of the first page. */
const FIRST_ROUND_MS = 20_000;
const WATCHER = 'prepull:watcher';
const WAKE = 'prepull:wake';
const LAST_CHECK = 'prepull:last-check';
/** How many pre-pulls back a deploy looks for the time its images were fetched. */
const PRE_PULL_HISTORY = 20;

type LastCheck = { at: string; outcome: string };

function stored(rt: Runtime): { setting: Setting; updatedBy: string | null; updatedAt: Date | null } {
  const setting = readSetting(rt.db, SETTING, settingSchema, DEFAULT_PRE_PULL);
  const row = rt.db.select().from(consoleSettings).where(eq(consoleSettings.key, SETTING)).get();
  return { setting, updatedBy: row?.updatedBy ?? null, updatedAt: row?.updatedAt ?? null };
}


export type PrePullTarget = { version: string; live: string } | { none: string };

/**
 * What a round would pull: the newest complete release above the live one that has not failed
 * here, or why nothing (off, nothing deployed, nothing newer). Registry errors are thrown.
 */
export async function prePullTarget(rt: Runtime): Promise<PrePullTarget> {
  if (!stored(rt).setting.enabled) return { none: 'background pre-pull is off' };
  const live = await liveVersion(rt);
  if (live === null) return { none: 'nothing is deployed yet' };
  const version = await newerRelease(rt, await registryTags(rt), live, failedReleases(rt.db, rt.environment.id));
  return version ? { version, live } : { none: `no newer release than ${live}` };
}

/** The six image references a deploy of `version` pulls, by digest (imageRef, as the plan builds them). */
async function releaseImages(rt: Runtime, version: string): Promise<{ images: string[]; digests: string[] }> {
  const [env, override] = await Promise.all([rt.project.readEnv(), rt.project.readOverride()]);
  const resolved = await rt.registry.resolveVersion(await registryPrefix(rt), version);
  const input = { projectId: 'pre-pull', deploymentDir: rt.project.dir, env, override, images: resolved };
  // An image pinned by tag in compose.override.yml is pulled by every deploy anyway (a tag may move).
  const images = ALL_SERVICES.map((svc) => imageRef(input, svc)).filter((ref) => ref.includes('@sha256:'));
  return { images, digests: images.map((ref) => ref.slice(ref.indexOf('@') + 1)) };
}

/**
 * Bytes of all image layers on the host, or null when Docker cannot say. Engine 20.10 refuses a
 * disk-usage call while another runs (the disk page's, another console's): asked again 3 times,
 * a second apart, before the figure is given up as not measured.
 */
async function layerBytes(rt: Runtime): Promise<number | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rt.host.layerBytes();
    } catch {
      if (attempt > 3) return null;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function prePullJob(rt: Runtime, version: string, images: string[], digests: string[]) {
  return async (ports: EnginePorts, signal: AbortSignal) => {
    const missing: string[] = [];
    for (const image of images) if (!(await ports.docker.imagePresent(image))) missing.push(image);
    const before = await layerBytes(rt);
    ports.events.emit({ step: 'pull', status: 'started', data: { version, images: missing } });
    // Concurrently, as a deploy pulls; Docker shares the layers the images have in common.
    await Promise.all(
      missing.map(async (image) => {
        ports.events.emit({ step: 'pull', status: 'progress', data: { image, status: 'pulling' } });
        try {
          await ports.docker.pullImage(image, (p) => ports.events.emit({ step: 'pull', status: 'progress', data: { ...p } }), signal);
        } catch (err) {
          if (signal.aborted) throw err;
          throw new CodedError('PRE_PULL_FAILED', `Could not pull ${image}: ${(err as Error).message}. The next round tries again.`);
        }
        ports.events.emit({ step: 'pull', status: 'progress', data: { image, status: 'pulled' } });
      }),
    );
    const after = await layerBytes(rt);
    const bytes = before !== null && after !== null ? Math.max(0, after - before) : null;
    ports.events.emit({ step: 'pull', status: 'succeeded', data: { version, bytes } });
    return { version, images, digests, pulled: missing.length, bytes };
  };
}

export type PrePullRound = { started: string } | { present: string } | { none: string } | { busy: string } | { error: string };

/**
 * One round of the watcher: chooses the release, and starts the pre-pull operation when one of its
 * images is missing. Answers what it did; never throws (a registry error is the answer).
 */
export async function prePullRound(rt: Runtime): Promise<PrePullRound> {
  let outcome: PrePullRound;
  try {
    const target = await prePullTarget(rt);
    if ('none' in target) outcome = target;
    else {
      const { images, digests } = await releaseImages(rt, target.version);
      const present = await Promise.all(images.map((ref) => rt.docker.imagePresent(ref)));
      if (present.every(Boolean)) outcome = { present: target.version };
      else {
        const op = rt.operations.start({ kind: 'pre-pull', params: { version: target.version, live: target.live }, actor: null }, prePullJob(rt, target.version, images, digests));
        outcome = 'busy' in op ? { busy: op.busy } : { started: op.id };
      }
    }
  } catch (err) {
    outcome = { error: err instanceof CodedError ? err.message : 'The registry or Docker could not be asked.' };
    if (!(err instanceof CodedError)) console.error('[tale-console] The background pre-pull could not look for a release', err);
  }
  rt.cache.set(LAST_CHECK, { at: rt.clock.now().toISOString(), outcome: describeRound(outcome) } satisfies LastCheck);
  return outcome;
}

function describeRound(r: PrePullRound): string {
  if ('started' in r) return 'pulling the next release';
  if ('present' in r) return `${r.present} is already on this host`;
  if ('busy' in r) return 'a pre-pull is already running';
  if ('error' in r) return `could not look: ${r.error}`;
  return r.none;
}

const json = (text: string | null): Record<string, unknown> | null => (text ? (JSON.parse(text) as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Image digests the background pre-pull fetched, with when: a deploy hands them to the engine,
 * whose pull step then says "Images already pulled in the background (HH:MM UTC)".
 */
export function prePulledDigests(rt: Runtime): Map<string, string> {
  const rows = rt.db
    .select()
    .from(operations)
    .where(and(eq(operations.environmentId, rt.environment.id), eq(operations.kind, 'pre-pull'), eq(operations.status, 'succeeded'), isNotNull(operations.finishedAt)))
    .orderBy(desc(operations.createdAt))
    .limit(PRE_PULL_HISTORY)
    .all();
  const at = new Map<string, string>();
  // Oldest first, so the newest pull of a digest gives its time.
  for (const row of rows.reverse()) {
    const digests = json(row.result)?.digests;
    if (Array.isArray(digests)) for (const d of digests) if (typeof d === 'string') at.set(d, (row.finishedAt as Date).toISOString());
  }
  return at;
}

function latestPrePull(rt: Runtime): OperationRow | undefined {
  return rt.db.select().from(operations).where(and(eq(operations.environmentId, rt.environment.id), eq(operations.kind, 'pre-pull'))).orderBy(desc(operations.createdAt)).limit(1).get();
}

const newer = (version: string | null, live: string | null): boolean => {
  const v = version ? parseVersion(version) : null;
  const l = live ? parseVersion(live) : null;
  return v !== null && (l === null || compareVersions(v, l) > 0);
};

/** The status for the overview and the API; `live` is the live version when the caller knows it. */
export async function prePullStatus(rt: Runtime, live?: string | null): Promise<PrePullStatusDto> {
  const { setting, updatedBy, updatedAt } = stored(rt);
  const base: PrePullStatusDto = {
    enabled: setting.enabled,
    intervalMinutes: setting.intervalMinutes,
    state: setting.enabled ? 'idle' : 'off',
    version: null,
    progress: null,
    bytes: null,
    operationId: null,
    finishedAt: null,
    error: null,
    lastCheck: (rt.cache.get(LAST_CHECK) as LastCheck | undefined) ?? null,
    updatedBy,
    updatedAt: updatedAt?.toISOString() ?? null,
  };
  const op = latestPrePull(rt);
  if (!op) return base;
  const params = json(op.params) ?? {};
  const version = str(params.version);
  const found = { version, operationId: op.id };
  if (op.status === 'running') {
    const pulls = pullProgress(eventsAfter(rt.db, op.id, 0).map(toEventDto));
    const progress = pulls.length ? pulls.reduce((sum, p) => sum + p.fraction, 0) / pulls.length : 0;
    return { ...base, ...found, state: 'pulling', progress };
  }
  if (!setting.enabled) return base;
  // What was pulled for a release that is now live (or older) is no longer news.
  if (!newer(version, live === undefined ? await liveVersion(rt) : live)) return base;
  const finishedAt = op.finishedAt?.toISOString() ?? null;
  if (op.status === 'succeeded') {
    const bytes = json(op.result)?.bytes;
    return { ...base, ...found, state: 'ready', finishedAt, bytes: typeof bytes === 'number' ? bytes : null };
  }
  return { ...base, ...found, state: 'failed', finishedAt, error: { code: op.errorCode ?? op.status.toUpperCase(), message: op.errorMessage ?? `The pre-pull was ${op.status}.` } };
}

export function getPrePull(rt: Runtime, caller: Caller): Promise<PrePullStatusDto> {
  requireRole(caller, 'viewer');
  return prePullStatus(rt);
}

/** Turns the pre-pull on or off, or changes its interval (admin, audited); saving starts a round at once. */
export function setPrePull(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PrePullStatusDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = prePullSettingSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const value: Setting = { enabled: parsed.data.enabled, intervalMinutes: parsed.data.intervalMinutes ?? stored(rt).setting.intervalMinutes };
    writeSetting(rt.db, SETTING, value, actor.email);
    appendAudit(rt.db, { actor, action: 'releases.prepull', params: value, sourceIp: caller.sourceIp, outcome: 'success' });
    // Off means no pulling: a pre-pull under way is cancelled (what it already fetched stays).
    const running = latestPrePull(rt);
    if (!value.enabled && running?.status === 'running') rt.operations.cancel(running.id);
    const wake = rt.cache.get(WAKE) as (() => Promise<PrePullRound>) | undefined;
    if (wake) await wake();
    return { ok: true, data: await prePullStatus(rt) };
  });
}

/** The newest deploy, rollback or update that ended: a new one starts a round (the live version moved). */
function lastStackChange(rt: Runtime): string | null {
  const row = rt.db
    .select({ id: operations.id })
    .from(operations)
    .where(and(eq(operations.environmentId, rt.environment.id), inArray(operations.kind, ['deploy', 'rollback', 'update', 'promote']), isNotNull(operations.finishedAt)))
    .orderBy(desc(operations.finishedAt))
    .limit(1)
    .get();
  return row?.id ?? null;
}

/**
 * Starts the watcher once per runtime; answers the function that stops it. Each tick reads the
 * setting again, so turning it off or changing the interval needs no restart.
 */
export function startPrePullWatcher(rt: Runtime): () => void {
  const existing = rt.cache.get(WATCHER) as (() => void) | undefined;
  if (existing) return existing;
  let seen = lastStackChange(rt);
  let due = rt.clock.now().getTime() + FIRST_ROUND_MS;
  let round: Promise<PrePullRound> | null = null;
  const run = (): Promise<PrePullRound> => {
    // A wake-up during a round answers that round.
    round ??= prePullRound(rt).finally(() => {
      round = null;
      due = rt.clock.now().getTime() + stored(rt).setting.intervalMinutes * 60_000;
    });
    return round;
  };
  const timer = setInterval(() => {
    const changed = lastStackChange(rt);
    if (changed !== seen || rt.clock.now().getTime() >= due) {
      seen = changed;
      void run();
    }
  }, TICK_MS);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    rt.cache.delete(WATCHER);
    rt.cache.delete(WAKE);
  };
  rt.cache.set(WATCHER, stop);
  rt.cache.set(WAKE, run);
  return stop;
}
