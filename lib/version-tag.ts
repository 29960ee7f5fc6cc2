// What a Tale version is, written once: the API's input schemas, the engine, the stack generator,
// the registry client, the release records and the version order all take it from here.
//
// A version is a release tag as Tale's images are published: MAJOR.MINOR.PATCH with an optional
// pre-release (`1.2.3`, `1.2.3-rc.1`, `1.0.0-rc16`), written with or without one leading `v` as
// the CLI's rollback and upgrade take it. `latest` is a moving channel and `1.2.3-arm64` one
// architecture's image, so neither is a version. Every version is a valid Docker image tag of at
// most 96 characters, and holds nothing that could break an image reference, a compose file, a
// path or a command line: no `/`, `:`, `@`, whitespace or quotes, and never a leading `.` or `-`.

/** Docker's own grammar for an image tag: wider than a version (`latest`, `sha-abc`, `1.2.3-arm64`). */
export const IMAGE_TAG_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';

const IMAGE_TAG = new RegExp(`^${IMAGE_TAG_PATTERN}$`);

const NUMBER = '(\\d{1,9})';
// Dot-separated identifiers as SemVer writes them, hyphens allowed inside (`1.9.2-slow-start`).
const PRERELEASE = '([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)';
// Per-architecture tags published next to the multi-arch one (`0.1.1-arm64`).
const ARCH = '(?:amd64|arm64|armv[5-8]|arm|386|ppc64le|s390x|riscv64)';

/** The version rule as one pattern, so zod schemas (and the OpenAPI document built from them) carry it whole. */
export const VERSION_TAG = new RegExp(`^v?${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(?!${ARCH}$)(?=.{1,64}$)${PRERELEASE})?$`);

export const VERSION_TAG_MESSAGE = 'Not a version tag such as 1.2.3';

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
}

/** The parts of a version, or null when the tag is not one. */
export function parseVersion(tag: string): ParsedVersion | null {
  const m = VERSION_TAG.exec(tag);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? null };
}

export function isVersionTag(tag: string): boolean {
  return VERSION_TAG.test(tag);
}

/** Any tag Docker and a registry accept, versions or not (`latest`). */
export function isImageTag(tag: string): boolean {
  return IMAGE_TAG.test(tag);
}

/** The tag the images carry: one leading `v` dropped (`v1.2.3` → `1.2.3`), as the CLI does. */
export function normalizeVersion(tag: string): string {
  return tag.replace(/^v(?=\d)/, '');
}
