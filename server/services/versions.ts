import 'server-only';
import { CodedError } from '@/lib/errors';
import type { VersionsDto } from '@/lib/dto/versions';
import { registryOf } from '../stack/generate-stack';
import { ALL_SERVICES } from '../stack/types';
import { RegistryClient } from '../registry/registry-client';
import { RegistryError } from '../registry/registry-error';
import { createEnginePorts } from '../runtime';

/** The project's .env, or none yet (the default registry applies before the first deploy). */
async function projectEnv(): Promise<Record<string, string>> {
  try {
    return await createEnginePorts({ emit: () => {} }).project.readEnv();
  } catch (err) {
    if (err instanceof CodedError) return {};
    throw err;
  }
}

/**
 * Release tags of the project's registry, newest first. The newest `limit` are checked for all six
 * images: a tag that misses one cannot be deployed, usually because its images are still building.
 */
export async function registryVersions(limit: number): Promise<VersionsDto> {
  const registry = registryOf(await projectEnv());
  try {
    return await checkVersions(new RegistryClient({ registry }), registry, limit);
  } catch (err) {
    // Said plainly, like an unreachable Docker Engine in the status: not a server failure.
    if (err instanceof RegistryError) return { registry, versions: [], unchecked: [], error: { code: err.code, message: err.message } };
    throw err;
  }
}

async function checkVersions(client: RegistryClient, registry: string, limit: number): Promise<VersionsDto> {
  const tags = await client.listVersions();
  const checked = await Promise.all(
    tags.slice(0, limit).map(async (version) => {
      const digests = await Promise.all(ALL_SERVICES.map(async (svc) => [svc, await client.manifestDigest(svc, version)] as const));
      const missing = digests.filter(([, d]) => d === null).map(([svc]) => svc);
      return { version, available: missing.length === 0, missing };
    }),
  );
  return { registry, versions: checked, unchecked: tags.slice(limit), error: null };
}
