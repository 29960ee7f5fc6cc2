import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ReleaseDto } from '@/lib/dto/overview';
import { compareVersions } from '@/lib/version-order';
import { parseVersion } from '@/lib/version-tag';
import { registryOf } from '../stack/generate-stack';
import { createEnginePorts } from '../runtime';

// The registry's versions for the overview banner and the deploy dialog. Both are asked for often
// (the overview polls), so answers are kept briefly: a registry like GHCR rate-limits tag lists.

const TTL_MS = 30_000;
/** How many of the newest tags the picker checks for all six images (six HEADs each). */
const PICKER_DEPTH = 12;

type Cached<T> = { at: number; key: string; value: T };
const cache = globalThis as unknown as { __taleVersions?: Cached<string[]>; __taleAvailability?: Map<string, { at: number; missing: string | null }> };

const quiet = () => createEnginePorts({ emit: () => {} });

/** The registry images come from: the project's GHCR_REGISTRY, else the default (before `init`). */
export async function registryPrefix(): Promise<string> {
  return registryOf(await quiet().project.readEnv().catch(() => ({})));
}

/**
 * Version tags, newest first; throws the registry's coded error when it cannot be reached. The
 * overview's polls share a short-lived answer; `fresh` (the deploy page) asks again.
 */
export async function registryTags(fresh = false): Promise<string[]> {
  const prefix = await registryPrefix();
  const hit = cache.__taleVersions;
  if (!fresh && hit && hit.key === prefix && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = await quiet().registry.listVersions(prefix);
  cache.__taleVersions = { at: Date.now(), key: prefix, value };
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

/** The newest complete release above `active` (all six images pushed), or null. */
export async function newerRelease(versionsNewestFirst: readonly string[], active: string | null): Promise<string | null> {
  const prefix = await registryPrefix();
  // A few at most: a release still being pushed is skipped, an older complete one offered instead.
  for (const version of upgradeCandidates(versionsNewestFirst, active).slice(0, 3)) {
    if ((await missingImages(prefix, version)) === null) return version;
  }
  return null;
}

/** Null when all six images have the tag (remembered briefly), else the registry's message. */
export async function missingImages(prefix: string, version: string): Promise<string | null> {
  const key = `${prefix}:${version}`;
  cache.__taleAvailability ??= new Map();
  const hit = cache.__taleAvailability.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.missing;
  let missing: string | null = null;
  try {
    await quiet().registry.resolveVersion(prefix, version);
  } catch (err) {
    if (!(err instanceof CodedError) || err.code !== 'REGISTRY_TAG_NOT_FOUND') throw err;
    missing = err.message;
  }
  // Only a complete release is remembered: a partial one may be a release whose images are still being pushed.
  if (missing === null) cache.__taleAvailability.set(key, { at: Date.now(), missing });
  return missing;
}

/** The newest tags for the deploy dialog, each checked for all six images; current and previous marked. */
export async function releases(current: string | null, previous: string | null): Promise<ReleaseDto[]> {
  const prefix = await registryPrefix();
  const versions = (await registryTags(true)).slice(0, PICKER_DEPTH);
  for (const v of [current, previous]) if (v && !versions.includes(v)) versions.push(v);
  return Promise.all(
    versions.map(async (version) => {
      const missing = await missingImages(prefix, version);
      return { version, available: missing === null, missing, current: version === current, previous: version === previous };
    }),
  );
}
