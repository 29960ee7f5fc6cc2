import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { docker } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION, SERVICES, SLOW_VERSION, localImage, registryImage } from '@/e2e/fixtures/versions';
import { RegistryClient } from '@/server/registry/registry-client';
import { RegistryError } from '@/server/registry/registry-error';

// The registry client against Debian's real docker-registry, filled by `docker push`.

let registry: Registry;

beforeAll(async () => {
  await ensureFixtureImages();
  registry = await startRegistry();
  await pushImages(registry, [
    ...SERVICES.flatMap((service) => [GOOD_VERSION, NEXT_VERSION].map((version) => ({ service, version }))),
    // A release still being published: every image but the crawler.
    ...SERVICES.filter((s) => s !== 'crawler').map((service) => ({ service, version: SLOW_VERSION })),
  ]);
  // Tags that are not versions: a per-architecture tag and `latest` (pointing at NEXT_VERSION).
  for (const tag of [`${GOOD_VERSION}-arm64`, 'latest']) {
    const target = registryImage(registry.host, 'platform', tag);
    await docker(['tag', localImage('platform', tag === 'latest' ? NEXT_VERSION : GOOD_VERSION), target]);
    await docker(['push', '-q', target]);
  }
}, 300_000);

afterAll(async () => {
  await registry?.stop();
});

describe('RegistryClient on a real registry', () => {
  it('lists versions newest first, without per-architecture tags or latest', async () => {
    const client = new RegistryClient({ registry: registry.host });
    expect(await client.listTags('platform')).toEqual(expect.arrayContaining(['latest', `${GOOD_VERSION}-arm64`]));
    expect(await client.listVersions()).toEqual([SLOW_VERSION, NEXT_VERSION, GOOD_VERSION]);
    expect(await client.latestAlias(await client.listVersions())).toBe(NEXT_VERSION);
  });

  it('resolves a complete version to the digests docker push recorded', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const resolved = await client.resolveVersion(GOOD_VERSION);
    expect(Object.keys(resolved.digests).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      const { stdout } = await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', registryImage(registry.host, service, GOOD_VERSION)]);
      const pushed = (JSON.parse(stdout) as string[]).find((d) => d.startsWith(`${registry.host}/tale-${service}@`));
      expect(pushed?.split('@')[1]).toBe(resolved.digests[service]);
    }
  });

  it('detects a version missing one of the six images', async () => {
    const client = new RegistryClient({ registry: registry.host });
    const failure = await client.resolveVersion(SLOW_VERSION).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RegistryError);
    expect((failure as RegistryError).code).toBe('REGISTRY_TAG_NOT_FOUND');
    expect((failure as RegistryError).message).toContain('tale-crawler');
    expect((failure as RegistryError).message).not.toContain('tale-platform');
  });

  it('says plainly when the registry cannot be reached', async () => {
    const other = await startRegistry({ seed: false });
    const host = other.host;
    await other.stop();
    const failure = await new RegistryClient({ registry: host, timeoutMs: 3000 }).listVersions().catch((e: unknown) => e);
    expect((failure as RegistryError).code).toBe('REGISTRY_UNREACHABLE');
  });
});
