import 'server-only';
import { and, desc, eq, gte, inArray, or } from 'drizzle-orm';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto } from '@/lib/dto/operations';
import type { PromotionPinDto, PromotionPreviewDto, PromotionSourceDto } from '@/lib/dto/promotion';
import type { SessionUser } from '@/lib/dto/user';
import { promotionInputSchema, type PromotionInput } from '@/lib/schemas/promotion';
import { diffEnvValues } from '@/lib/settings/env-diff';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { authorize, type Caller } from '../auth/caller';
import { userInEnvironment } from '../auth/environment-role';
import { hasRole } from '../auth/roles';
import { appendAudit } from '../db/audit-log';
import { healthIncidents } from '../db/schema/health';
import { detectActiveColor, versionOf } from '../engine/active-color';
import { deploy } from '../engine/deploy';
import { fullDigests } from '../engine/release-record';
import { listEnvironmentRows } from '../environments/store';
import { inProgress } from '../operations/conflicts';
import { runningOperation } from '../operations/operation-store';
import { ALL_SERVICES, type ServiceName } from '../stack/types';
import type { Runtime } from '../runtime';
import { backupGate, gatePreview, noRepositoryError, noRepositoryYet } from './backup-gate';
import { invalid } from './operation-start';
import { checkPreflight, emitPreflight, preflightGate } from './preflight';
import { liveVersion } from './releases';

// Promotion (docs/environments.md#promotion): the release live on one environment (the source)
// deployed to another (the destination, whose runtime `rt` is) by the digests its release record
// holds, so the destination runs the same bytes even when the tag has moved since. Only the
// images travel: the destination keeps its own .env and compose.override.yml, and the preview
// shows how the two differ before anyone confirms. The source's runtime comes from the edge
// (`runtimeFor`), as services never build runtimes themselves.

/** The edge's way to another environment's runtime (server/environment-runtimes.ts runtimeFor). */
export type RuntimeOf = (id: string) => Promise<Runtime>;

/** Incidents that make a release unproven: it stopped or went unhealthy (server/watch/classify.ts). */
const BAD_KINDS = ['die', 'kill', 'oom'] as const;

type LiveRelease = { version: string; digests: Record<ServiceName, string>; at: Date };

const refused = (code: string, message: string) => ({ ok: false as const, code, message });

/** The release live on `rt`, with its recorded digests; null when none is, or the record is missing. */
async function liveRelease(rt: Runtime): Promise<LiveRelease | null> {
  const active = await detectActiveColor(rt.docker, rt.project, await rt.project.readProjectId());
  if (!active.color) return null;
  const version = versionOf(active.colors[active.color].containers.platform);
  if (!version) return null;
  // The live colour's own record: a record is written only when a deploy or rollback succeeded.
  const record = (await rt.project.readReleases()).find((r) => r.version === version && r.color === active.color);
  const digests = fullDigests(record);
  return record && digests ? { version, digests, at: new Date(record.at) } : null;
}

/** How long the source ran the release, and since when without an incident. */
export function provenFor(rt: Runtime, sourceId: string, release: LiveRelease, required: number | null): PromotionPreviewDto['proven'] {
  const now = rt.clock.now().getTime();
  const last = rt.db
    .select({ at: healthIncidents.at })
    .from(healthIncidents)
    .where(
      and(
        eq(healthIncidents.environmentId, sourceId),
        gte(healthIncidents.at, release.at),
        or(inArray(healthIncidents.kind, [...BAD_KINDS]), and(eq(healthIncidents.kind, 'health'), eq(healthIncidents.state, 'unhealthy'))),
      ),
    )
    .orderBy(desc(healthIncidents.at))
    .limit(1)
    .get();
  const ranMinutes = Math.max(0, Math.floor((now - release.at.getTime()) / 60_000));
  const cleanSince = last ? last.at.getTime() : release.at.getTime();
  const cleanMinutes = Math.max(0, Math.floor((now - cleanSince) / 60_000));
  return { ranMinutes, lastIncidentAt: last ? last.at.toISOString() : null, cleanMinutes, required, ok: required === null || cleanMinutes >= required };
}

function provenMessage(name: string, p: PromotionPreviewDto['proven']): string {
  const incident = p.lastIncidentAt ? `; its last incident was at ${p.lastIncidentAt}, ${p.cleanMinutes} min ago` : ', with no incident';
  return `${name} has run this release for ${p.ranMinutes} min${incident}. The promotion asks for ${p.required} min without incidents.`;
}

/** The preview but the destination's gates, which only the preview shows (a start runs them itself). */
type Prepared = { source: Runtime; release: LiveRelease; live: string | null; preview: Omit<PromotionPreviewDto, 'backup' | 'preflight'> };

/** The preview with the destination's gates as a deploy of that version there meets them (startPromotion runs them again). */
async function withGates(rt: Runtime, caller: Caller, { release, live, preview }: Prepared): Promise<PromotionPreviewDto> {
  const [backup, preflight] = await Promise.all([gatePreview(rt, caller, { kind: 'deploy', version: release.version, liveVersion: live }), checkPreflight(rt)]);
  return { ...preview, backup, preflight };
}

/** Everything a preview shows and a start checks, read fresh from both environments. */
async function prepare(rt: Runtime, user: SessionUser, input: PromotionInput, runtimeOf: RuntimeOf): Promise<ActionResult<Prepared>> {
  if (input.from === rt.environment.id) return refused('INVALID_INPUT', 'Choose another environment to promote from.');
  let source: Runtime;
  try {
    source = await runtimeOf(input.from);
  } catch (err) {
    if (err instanceof CodedError) return refused(err.code, err.message);
    throw err;
  }
  // Reading the source's release and .env is seeing it: the caller must be allowed to there too.
  if (!hasRole(userInEnvironment(rt.db, user, source.environment.id), 'viewer')) return refused('FORBIDDEN', `You may not see ${source.environment.name}.`);
  let release: LiveRelease | null;
  let destinationLive: LiveRelease | null;
  try {
    release = await liveRelease(source);
    destinationLive = await liveRelease(rt).catch((err) => {
      if (err instanceof CodedError) return null; // a destination with no project yet: the deploy says why
      throw err;
    });
  } catch (err) {
    if (err instanceof CodedError) return refused('PROMOTION_SOURCE_NOT_LIVE', `${source.environment.name} cannot be read: ${err.message}`);
    throw err;
  }
  if (!release) return refused('PROMOTION_SOURCE_NOT_LIVE', `${source.environment.name} has no release that succeeded there and is live now (a release record with every image digest).`);
  const [sourceEnv, destEnv, sourcePins, destPins, live] = await Promise.all([
    source.project.readEnv(),
    rt.project.readEnv().catch(() => ({})),
    source.project.readOverride(),
    rt.project.readOverride().catch(() => ({})),
    liveVersion(rt),
  ]);
  const pins: PromotionPinDto[] = ALL_SERVICES.flatMap((service) => {
    const a = (sourcePins as Record<string, { image?: string } | undefined>)[service]?.image ?? null;
    const b = (destPins as Record<string, { image?: string } | undefined>)[service]?.image ?? null;
    return a === b ? [] : [{ service, source: a, destination: b }];
  });
  const proven = provenFor(rt, source.environment.id, release, input.minCleanMinutes ?? null);
  const running = runningOperation(rt.db, rt.environment.id);
  const same = destinationLive !== null && ALL_SERVICES.every((s) => destinationLive.digests[s] === release.digests[s]);
  const blocked = running
    ? inProgress(running.kind)
    : same
      ? refused('PROMOTION_NOTHING_TO_DO', `${rt.environment.name} already runs ${release.version} with the same digests.`)
      : !proven.ok
        ? refused('PROMOTION_NOT_PROVEN', provenMessage(source.environment.name, proven))
        : null;
  const preview: Prepared['preview'] = {
    source: { id: source.environment.id, name: source.environment.name, release: { version: release.version, digests: { ...release.digests }, at: release.at.toISOString() } },
    destination: { id: rt.environment.id, name: rt.environment.name, production: rt.environment.production, version: destinationLive?.version ?? null },
    env: diffEnvValues(sourceEnv, destEnv),
    pins,
    proven,
    blocked: blocked ? { code: blocked.code, message: blocked.message } : null,
  };
  return { ok: true, data: { source, release, live, preview } };
}

/** The differences and checks of promoting `input.from`'s live release to `rt`'s environment; changes nothing. */
export function previewPromotion(rt: Runtime, caller: Caller, raw: unknown, runtimeOf: RuntimeOf): Promise<ActionResult<PromotionPreviewDto>> {
  return authorize(caller, 'operator', async (user) => {
    const parsed = promotionInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const prepared = await prepare(rt, user, parsed.data, runtimeOf);
    return prepared.ok ? { ok: true, data: await withGates(rt, caller, prepared.data) } : prepared;
  });
}

/**
 * Starts the 'promote' operation on `rt` (the destination): the engine's deploy of the source's
 * live version pinned to its recorded digests. With dryRun, answers the preview instead. It goes
 * through the gates an upgrade goes through there: the destination's preflight (refused, or
 * overridden with a reason) and, when it changes the live version, the pre-upgrade backup (or a
 * typed skip reason); a promotion that fails its health gate marks the version as failed there
 * (failed-releases.ts), as a failed deploy does.
 */
export function startPromotion(rt: Runtime, caller: Caller, raw: unknown, runtimeOf: RuntimeOf): Promise<ActionResult<OperationDto | PromotionPreviewDto>> {
  return authorize<OperationDto | PromotionPreviewDto>(caller, 'operator', async (actor) => {
    const parsed = promotionInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const input = parsed.data;
    const prepared = await prepare(rt, actor, input, runtimeOf);
    const audit = (outcome: 'denied' | 'success', message: string, params: Record<string, unknown>, target: string | null = null) =>
      appendAudit(rt.db, { actor, action: 'deployment.promote', target, params, sourceIp: caller.sourceIp, outcome, message });
    const base = { from: input.from, to: rt.environment.id, ...(input.minCleanMinutes !== undefined ? { minCleanMinutes: input.minCleanMinutes } : {}) };
    if (!prepared.ok) {
      audit('denied', prepared.message, base);
      return prepared;
    }
    const { source, release, live, preview } = prepared.data;
    if (input.dryRun) return { ok: true, data: await withGates(rt, caller, prepared.data) };
    if (preview.blocked) {
      audit('denied', preview.blocked.message, base);
      return { ok: false, code: preview.blocked.code, message: preview.blocked.message };
    }
    if (rt.environment.production && input.confirmName !== rt.environment.name) {
      audit('denied', 'environment name confirmation did not match', base);
      return { ok: false, code: 'CONFIRMATION_MISMATCH', message: `${rt.environment.name} is production: type its name to promote to it.`, fieldErrors: { confirmName: ['Type the environment’s name exactly as shown'] } };
    }
    const { skipBackup, overridePreflight } = input;
    const params = { ...base, fromName: source.environment.name, version: release.version, digests: { ...release.digests }, ...(skipBackup ? { skipBackup } : {}) };
    // The gate's one refusal before anything starts, as refuseWithoutRepository in operations.ts:
    // the live version would change and there is no repository to back it up into. The job checks
    // again on its exact plan.
    if (!skipBackup && live !== null && live !== release.version && (await noRepositoryYet(rt))) {
      const refusal = noRepositoryError('promote');
      audit('denied', 'no backup repository yet for the pre-upgrade backup', params);
      return { ok: false, code: refusal.code, message: refusal.message };
    }
    const checked = await preflightGate({ rt, caller, actor }, 'promote', overridePreflight, params, 'deployment.promote');
    if ('refused' in checked) return checked.refused;
    const op = rt.operations.start({ kind: 'promote', params: checked.params, actor }, async (ports, signal) => {
      emitPreflight(ports.events, checked);
      const gate = backupGate(rt, ports, { kind: 'promote', actor: actor.email, skip: skipBackup, signal });
      const r = await deploy(ports, { version: release.version, digests: release.digests, signal, beforeChanges: gate.beforeChanges });
      return { version: r.version, color: r.color, previousVersion: r.previousVersion, warnings: r.warnings, from: source.environment.id, fromName: source.environment.name, ...gate.result() };
    });
    if ('busy' in op) {
      audit('denied', `another operation is running (${op.busy})`, checked.params);
      return inProgress(op.busy);
    }
    audit('success', 'started', checked.params, op.id);
    return { ok: true, data: op };
  });
}

/** The environments the dialog offers as sources: every other one, with its live version when it answers. */
export function promotionSources(rt: Runtime, caller: Caller, runtimeOf: RuntimeOf): Promise<ActionResult<PromotionSourceDto[]>> {
  return authorize(caller, 'operator', async (user) => {
    const rows = listEnvironmentRows(rt.db);
    const nameOf = (id: string) => rows.find((r) => r.id === id)?.name ?? (id === LOCAL_ENVIRONMENT_ID ? 'Local' : id);
    const ids = [LOCAL_ENVIRONMENT_ID, ...rows.map((r) => r.id)].filter((id) => id !== rt.environment.id && hasRole(userInEnvironment(rt.db, user, id), 'viewer'));
    const data = await Promise.all(
      ids.map(async (id): Promise<PromotionSourceDto> => {
        try {
          const live = await liveRelease(await runtimeOf(id));
          return { id, name: nameOf(id), version: live?.version ?? null, error: live ? null : 'No release that succeeded there is live.' };
        } catch (err) {
          return { id, name: nameOf(id), version: null, error: err instanceof CodedError ? err.message : 'The environment could not be read.' };
        }
      }),
    );
    return { ok: true, data };
  });
}
