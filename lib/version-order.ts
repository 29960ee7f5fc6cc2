// Version ordering of docs/tale-cli.md#version-order: numeric major.minor.patch; a release sorts above its pre-releases;
// pre-releases compare by their parts, numbers numerically (rc16 > rc2, beta.10 > beta.9).

import { parseVersion, type ParsedVersion } from './version-tag';

function tokens(prerelease: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of prerelease.split('.')) {
    for (const piece of part.match(/\d+|\D+/g) ?? []) out.push(/^\d+$/.test(piece) ? Number(piece) : piece);
  }
  return out;
}

function comparePrerelease(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  for (let i = 0; i < Math.max(ta.length, tb.length); i += 1) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Negative when a < b. Both must parse. */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** Keeps the tags that are versions and sorts them newest first. */
export function sortVersionTags(tags: readonly string[]): string[] {
  const parsed = tags.map((tag) => ({ tag, v: parseVersion(tag) })).filter((x): x is { tag: string; v: ParsedVersion } => x.v !== null);
  return parsed.sort((x, y) => compareVersions(y.v, x.v) || (x.tag < y.tag ? -1 : 1)).map((x) => x.tag);
}
