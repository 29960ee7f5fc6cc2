import 'server-only';
import { CodedError } from '@/lib/errors';
import { detectActiveColor, versionOf } from '../engine/active-color';
import type { ReleaseDto } from '@/lib/dto/overview';
import type { FailedHereDto } from '@/lib/dto/versions';
import { compareVersions } from '@/lib/version-order';
import { parseVersion } from '@/lib/version-tag';
import { registryOf } from '../stack/generate-stack';
import type { Runtime } from '../runtime';
import { failedReleases } from './failed-releases';

// The registry's versions for the overview banner and the deploy dialog. Both are asked for often
// (the overview polls), so answers are kept briefly: a registry like GHCR rate-limits tag lists.

const TTL_MS = 30_000;
/** How many of the newest tags the picker checks for all six images (six HEADs each). */
const PICKER_DEPTH = 12;

// Both answers live in the runtime's cache (one per process; a test's runtime starts empty).
const TAGS = 'releases.tags';
const AVAILABILITY = 'releases.availability';
type Tags = { at: number; key: string; value: string[] };
type Availability = Map<string, { at: number; missing: string | null }>;

const now = (rt: Runtime) => rt.clock.now().getTime();

/** The registry images come from: the project's GHCR_REGISTRY, else the default (before `init`). */
export async function registryPrefix(rt: Runtime): Promise<string> {
  return registryOf(await rt.project.readEnv().catch(() => ({})));
}

/**
 * Version tags, newest first; throws the registry's coded error when it cannot be reached. The
 * overview's polls share a short-lived answer; `fresh` (the deploy page) asks again.
 */
export async function registryTags(rt: Runtime, fresh = false): Promise<string[]> {
  const prefix = await registryPrefix(rt);
  const hit = rt.cache.get(TAGS) as Tags | undefined;
  if (!fresh && hit && hit.key === prefix && now(rt) - hit.at < TTL_MS) return hit.value;
  const value = await rt.registry.listVersions(prefix);
  rt.cache.set(TAGS, { at: now(rt), key: prefix, value } satisfies Tags);
  return value;
}

/**
 * Versions above `active`, newest first, that a "newer version available" banner may offer:
 * releases only (a pre-release tag such as 1.2.0-rc.1 is never suggested). Empty when `active` is
 * not a version.
 */
export function upgradeCandidates(versionsNewestFirst: readonly string[], active: string | null): string[] {
  const a = active ? parseVersion(active) : null;
  if (!a) return [];
  return versionsNewestFirst.filter((v) => {
    const p = parseVersion(v);
    return p !== null && p.prerelease === null && compareVersions(p, a) > 0;
  });
}

/**
 * The newest complete release above `active` (all six images pushed) that has not failed its
 * health gate here (`failed`), or null: a release that failed here is retried on purpose, never
 * by the one-click upgrade.
 */
export async function newerRelease(rt: Runtime, versionsNewestFirst: readonly string[], active: string | null, failed: ReadonlyMap<string, FailedHereDto> = new Map()): Promise<string | null> {
  const prefix = await registryPrefix(rt);
  // A few at most: a release still being pushed is skipped, an older complete one offered instead.
  for (const version of upgradeCandidates(versionsNewestFirst, active).filter((v) => !failed.has(v)).slice(0, 3)) {
    if ((await missingImages(rt, prefix, version)) === null) return version;
  }
  return null;
}

/** Null when all six images have the tag (remembered briefly), else the registry's message. */
export async function missingImages(rt: Runtime, prefix: string, version: string): Promise<string | null> {
  const key = `${prefix}:${version}`;
  let remembered = rt.cache.get(AVAILABILITY) as Availability | undefined;
  if (!remembered) rt.cache.set(AVAILABILITY, (remembered = new Map()));
  const hit = remembered.get(key);
  if (hit && now(rt) - hit.at < TTL_MS) return hit.missing;
  let missing: string | null = null;
  try {
    await rt.registry.resolveVersion(prefix, version);
  } catch (err) {
    if (!(err instanceof CodedError) || err.code !== 'REGISTRY_TAG_NOT_FOUND') throw err;
    missing = err.message;
  }
  // Only a complete release is remembered: a partial one may be a release whose images are still being pushed.
  if (missing === null) remembered.set(key, { at: now(rt), missing });
  return missing;
}

/** The newest tags for the deploy dialog, each checked for all six images; current and previous marked. */
export async function releases(rt: Runtime, current: string | null, previous: string | null): Promise<ReleaseDto[]> {
  const prefix = await registryPrefix(rt);
  const failed = failedReleases(rt.db, rt.environment.id);
  const versions = (await registryTags(rt, true)).slice(0, PICKER_DEPTH);
  for (const v of [current, previous]) if (v && !versions.includes(v)) versions.push(v);
  return Promise.all(
    versions.map(async (version) => {
      const missing = await missingImages(rt, prefix, version);
      return { version, available: missing === null, missing, current: version === current, previous: version === previous, failedHere: failed.get(version) ?? null };
    }),
  );
}

/** The version the live colour's platform runs; null when nothing is deployed or it cannot be told (no project, two live colours: an operation itself then fails with the reason). */
export async function liveVersion(rt: Runtime): Promise<string | null> {
  try {
    const active = await detectActiveColor(rt.docker, rt.project, await rt.project.readProjectId());
    return active.color ? versionOf(active.colors[active.color].containers.platform) : null;
  } catch (err) {
    if (err instanceof CodedError) return null;
    throw err;
  }
}
