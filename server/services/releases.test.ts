import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '@/lib/errors';
import type { RegistryPort } from '../engine/ports';
import { fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { missingImages, registryPrefix, registryTags, upgradeCandidates } from './releases';

describe('upgrade candidates', () => {
  it('are the releases above the live version, newest first', () => {
    expect(upgradeCandidates(['1.2.0', '1.1.0', '1.0.0'], '1.0.0')).toEqual(['1.2.0', '1.1.0']);
    expect(upgradeCandidates(['1.2.0', '1.1.0'], '1.2.0')).toEqual([]);
    // A live version newer than anything in the registry (a local build) is no reason to "upgrade".
    expect(upgradeCandidates(['1.2.0'], '1.3.0')).toEqual([]);
    expect(upgradeCandidates([], '1.0.0')).toEqual([]);
    expect(upgradeCandidates(['1.2.0'], null)).toEqual([]);
    expect(upgradeCandidates(['1.2.0'], 'dev')).toEqual([]);
  });

  it('never offer a pre-release', () => {
    expect(upgradeCandidates(['1.9.0-rc.1', '1.1.0', '1.0.0'], '1.0.0')).toEqual(['1.1.0']);
  });
});

describe('the registry answers kept in the runtime', () => {
  let f: FakeRuntime;
  beforeEach(() => {
    f = fakeRuntime();
  });
  afterEach(() => f.dispose());

  it('keep the tag list for 30 s of the runtime clock; the deploy page asks afresh', async () => {
    let asked = 0;
    const list = f.world.registry.listVersions.bind(f.world.registry);
    f.world.registry.listVersions = async () => (asked++, list());
    expect(await registryTags(f.rt)).toEqual(['3.0.0', '2.0.0', '1.0.0']);
    f.world.registry.versions.push('4.0.0');
    expect(await registryTags(f.rt)).toEqual(['3.0.0', '2.0.0', '1.0.0']);
    expect(await registryTags(f.rt, true)).toEqual(['4.0.0', '3.0.0', '2.0.0', '1.0.0']);
    await f.world.clock.sleep(30_000);
    f.world.registry.versions.push('5.0.0');
    expect((await registryTags(f.rt))[0]).toBe('5.0.0');
    expect(asked).toBe(3);
    // Another runtime (another test) has its own registry and remembers nothing of this one's.
    const other = fakeRuntime();
    try {
      other.world.registry.versions = ['7.0.0'];
      expect(await registryTags(other.rt)).toEqual(['7.0.0']);
    } finally {
      other.dispose();
    }
  });

  it('remember a complete release, never a tag whose images are missing', async () => {
    const pushed = new Set<string>();
    let asked = 0;
    // The registry client's coded answer for a tag that misses an image.
    f.world.registry.resolveVersion = async (_prefix, version) => {
      asked++;
      if (!pushed.has(version)) throw new CodedError('REGISTRY_TAG_NOT_FOUND', `${version}: an image is missing`);
      return { version, digests: {} as Awaited<ReturnType<RegistryPort['resolveVersion']>>['digests'] };
    };
    const prefix = await registryPrefix(f.rt);
    expect(await missingImages(f.rt, prefix, '9.9.9')).toBe('9.9.9: an image is missing');
    pushed.add('9.9.9');
    expect(await missingImages(f.rt, prefix, '9.9.9')).toBeNull();
    pushed.delete('9.9.9');
    expect(await missingImages(f.rt, prefix, '9.9.9')).toBeNull();
    expect(asked).toBe(2);
  });
});
