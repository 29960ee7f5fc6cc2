import { describe, expect, it } from 'vitest';
import { isImageTag, isVersionTag, normalizeVersion, parseVersion } from './version-tag';

// Every real Tale version, and the fixture images' tags (e2e/fixtures/versions.ts).
const VERSIONS = [
  '1.2.3', 'v1.2.3', '0.0.1', '0.9.0', '1.2.3-rc.1', '1.0.0-rc16', '2.0.0-beta.10', '1.9.0-never-healthy', '1.9.2-slow-start',
  '123456789.0.0', '1.0.0-arm64.1', `1.0.0-${'a'.repeat(64)}`,
];

// Channels, per-architecture tags, near misses and anything that could break an image reference,
// a compose file, a path or a command line.
const NOT_VERSIONS = [
  '', 'latest', 'main', 'sha-abc', '1', '1.2', '1.2.3.4', 'V1.2.3', 'vv1.2.3', '1.2.3v', '-1.2.3', '1234567890.0.0', '01.2',
  '1.2.3-arm64', '1.2.3-amd64', '1.2.3-arm', '1.2.3-', `1.2.3-${'a'.repeat(65)}`, '1.2.3-rc..1', '1.2.3-.rc', '1.2.3-rc.', '1.2.3+build',
  '1.2.3 ', ' 1.2.3', '1.2.3\n', '1.2.3\r', '1.2.3\u200b', '１.２.３', '1.2.3-rc/1', 'v1.0.0-../x', '../1.2.3', '1.2.3:latest',
  `1.2.3@sha256:${'a'.repeat(64)}`, '1.2.3;rm -rf /', '1.2.3$(id)', "1.2.3'", '1.2.3"', '1.2.3-a b', '1.2.3-${X}',
];

describe('the version rule', () => {
  it.each(VERSIONS)('accepts %s', (tag) => {
    expect(isVersionTag(tag)).toBe(true);
    expect(parseVersion(tag)).not.toBeNull();
  });

  it.each(NOT_VERSIONS)('refuses %j', (tag) => {
    expect(isVersionTag(tag)).toBe(false);
    expect(parseVersion(tag)).toBeNull();
  });

  it('reads the parts, the pre-release whole', () => {
    expect(parseVersion('v1.20.3-rc.1')).toEqual({ major: 1, minor: 20, patch: 3, prerelease: 'rc.1' });
    expect(parseVersion('0.2.8')).toEqual({ major: 0, minor: 2, patch: 8, prerelease: null });
  });

  it('makes every version, without its v, a Docker image tag', () => {
    for (const tag of VERSIONS) expect(isImageTag(normalizeVersion(tag)), tag).toBe(true);
  });

  it('drops one leading v before a digit and nothing else', () => {
    expect(normalizeVersion('v1.2.3')).toBe('1.2.3');
    expect(normalizeVersion('1.2.3')).toBe('1.2.3');
    expect(normalizeVersion('vv1.2.3')).toBe('vv1.2.3');
    expect(normalizeVersion('velvet')).toBe('velvet');
  });
});

describe('image tags', () => {
  it('takes what a registry takes, versions or not', () => {
    for (const tag of ['latest', 'sha-abc', '1.2.3-arm64', '_x', 'a'.repeat(128)]) expect(isImageTag(tag), tag).toBe(true);
    for (const tag of ['', '.x', '-x', 'a/b', 'a b', 'a:b', 'a@b', 'a'.repeat(129), 'x\n']) expect(isImageTag(tag), tag).toBe(false);
  });
});
