import { describe, expect, it } from 'vitest';
import { compareVersions, sortVersionTags } from './version-order';
import { parseVersion } from './version-tag';

const cmp = (a: string, b: string) => Math.sign(compareVersions(parseVersion(a)!, parseVersion(b)!));

describe('version order (docs/tale-cli.md#version-order)', () => {
  it('parses versions with or without v and refuses garbage and arch tags', () => {
    expect(parseVersion('v1.0.0-rc1')).toEqual({ major: 1, minor: 0, patch: 0, prerelease: 'rc1' });
    expect(parseVersion('0.2.8')).toEqual({ major: 0, minor: 2, patch: 8, prerelease: null });
    // SemVer allows hyphens inside pre-release identifiers.
    expect(parseVersion('1.9.2-slow-start')).toEqual({ major: 1, minor: 9, patch: 2, prerelease: 'slow-start' });
    for (const bad of ['latest', '1.2', '1.2.3.4', 'v', '0.1.1-arm64', '0.1.1-amd64', 'sha-abc']) expect(parseVersion(bad), bad).toBeNull();
  });

  it.each([
    ['0.2.9', '0.2.8', 1],
    ['0.3.0', '0.2.99', 1],
    ['1.0.0', '0.99.99', 1],
    ['1.0.0', '1.0.0-rc16', 1],
    ['1.0.0-rc16', '1.0.0-rc2', 1],
    ['2.0.0-beta.10', '2.0.0-beta.9', 1],
    ['1.0.0-rc1', '1.0.0-beta.5', 1],
    ['1.0.0', 'v1.0.0', 0],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(cmp(a, b)).toBe(expected);
    expect(cmp(b, a)).toBe(-expected || 0);
  });

  it('sorts tags newest first and drops non-versions', () => {
    expect(sortVersionTags(['0.1.1-arm64', 'latest', '1.0.0-rc2', '0.9.0', '1.0.0', '1.0.0-rc16', '0.1.1'])).toEqual([
      '1.0.0', '1.0.0-rc16', '1.0.0-rc2', '0.9.0', '0.1.1',
    ]);
  });
});
