import 'server-only';
import type { VersionsDto } from '@/lib/dto/versions';
import { ALL_SERVICES } from '../stack/types';
import { RegistryClient } from '../registry/registry-client';
import { RegistryError } from '../registry/registry-error';
import type { Runtime } from '../runtime';
import { failedReleases } from './failed-releases';
import { missingImages, registryPrefix, registryTags } from './releases';

/**
 * Release tags of the project's registry, newest first, for the API. The newest `limit` are checked
 * for all six images: a tag that misses one cannot be deployed, usually because its images are
 * still building. The tag list and complete releases come from the console's short-lived cache
 * (the UI asks the same questions), so a script polling this cannot make the registry rate-limit
 * the console; only an incomplete tag is asked which images it misses.
 */
export async function registryVersions(rt: Runtime, limit: number): Promise<VersionsDto> {
  const registry = await registryPrefix(rt);
  try {
    const tags = await registryTags(rt);
    const failed = failedReleases(rt.db, rt.environment.id);
    const checked = await Promise.all(tags.slice(0, limit).map(async (version) => {
      const missing = (await missingImages(rt, registry, version)) === null ? [] : await missingServices(registry, version);
      return { version, available: missing.length === 0, missing, failedHere: failed.get(version) ?? null };
    }));
    return { registry, versions: checked, unchecked: tags.slice(limit), error: null };
  } catch (err) {
    // Said plainly, like an unreachable Docker Engine in the status: not a server failure.
    if (err instanceof RegistryError) return { registry, versions: [], unchecked: [], error: { code: err.code, message: err.message } };
    throw err;
  }
}

async function missingServices(registry: string, version: string): Promise<string[]> {
  const client = new RegistryClient({ registry });
  const digests = await Promise.all(ALL_SERVICES.map(async (svc) => [svc, await client.manifestDigest(svc, version)] as const));
  return digests.filter(([, d]) => d === null).map(([svc]) => svc);
}
