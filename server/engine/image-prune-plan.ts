import { createHash } from 'node:crypto';
import { compareVersions } from '@/lib/version-order';
import { normalizeVersion, parseVersion } from '@/lib/version-tag';
import { ALL_SERVICES, type ServiceName } from '@/server/stack/types';

// Which of the stack's images "remove unused images" removes (docs/disk.md). Pure: the service
// hands it what Docker, the release records, the state file and compose.override.yml say, and the
// operation recomputes it at run time from fresh answers, so a preview and a run decide alike.

/** One image as Docker's `system df` reports it (server/docker/disk-usage.ts). */
export interface DiskImage {
  /** `sha256:…`, Docker's image id. */
  id: string;
  /** `repository:tag` names, without Docker's `<none>:<none>` placeholder. */
  repoTags: string[];
  /** `repository@sha256:…` names (what a pull by digest leaves), without `<none>@<none>`. */
  repoDigests: string[];
  /** Bytes of all its layers. */
  size: number;
  /** Bytes of its layers that other images also use; null when Docker did not compute it. */
  sharedSize: number | null;
  /** ISO time the image was built. */
  created: string;
  labels: Record<string, string>;
}

/** A container, running or not, as Docker lists it. */
export interface DiskContainer {
  id: string;
  name: string;
  /** The id of the image it was created from: what keeps that image on disk. */
  imageId: string;
  /** The reference it was created from (`repo:tag@sha256:…`), as Docker lists it. */
  image: string;
  state: string;
  labels: Record<string, string>;
}

export interface DiskVolume {
  name: string;
  /** Bytes; null when Docker did not compute it. */
  size: number | null;
  /** How many containers mount it; null when unknown. */
  refCount: number | null;
  labels: Record<string, string>;
}

export interface DiskUsage {
  images: DiskImage[];
  containers: DiskContainer[];
  volumes: DiskVolume[];
  /** Total bytes of the build cache (every build on this host, not only the stack's), null when Docker reports none. */
  buildCacheBytes: number | null;
  /** Docker's total of all image layers on the host. */
  layersSize: number;
}

export type RemoveImageOutcome = 'removed' | 'in-use' | 'missing';

/** What the disk page and the prune operation need from the Docker Engine. */
export interface DiskPort {
  usage(): Promise<DiskUsage>;
  /** Removes one name (`repo:tag` or `repo@sha256:…`), never forced: Docker deletes the image with its last name unless a container uses it. */
  removeImage(ref: string): Promise<RemoveImageOutcome>;
}

/** One release the plan keeps: its version and the digests a rollback to it pulls. */
export interface KeptRelease {
  /** live: what runs; previous: where a rollback without a version goes (record or state file). */
  role: 'live' | 'previous';
  version: string;
  digests: Partial<Record<ServiceName, string>>;
}

export interface PrunePlanInput {
  /** The image prefix (GHCR_REGISTRY or the default): the stack's repositories are `<prefix>/tale-<service>`. */
  registry: string;
  projectId: string;
  images: readonly DiskImage[];
  containers: readonly DiskContainer[];
  /** The live release and the previous one(s); the version newer-than rule compares with the live one. */
  keep: readonly KeptRelease[];
  /** The versions every release record names, newest record first, for the "used by release" column. */
  records: ReadonlyArray<{ version: string; digests: Partial<Record<ServiceName, string>> }>;
  /** Image references pinned in compose.override.yml. */
  pins: readonly string[];
}

export type KeepReason =
  | { kind: 'container'; containers: string[] }
  | { kind: 'live'; version: string }
  | { kind: 'previous'; version: string }
  | { kind: 'newer'; version: string }
  | { kind: 'pinned'; ref: string }
  | { kind: 'other-names'; names: string[] }
  | { kind: 'other-project'; projects: string[] };

export interface PlannedImage {
  id: string;
  /** Its names in the stack's repositories: what the operation removes, tags first. */
  names: string[];
  service: ServiceName | null;
  version: string | null;
  size: number;
  sharedSize: number | null;
  /** size − sharedSize: bytes only this image holds; null when Docker gave no shared size. */
  uniqueSize: number | null;
  created: string;
  /** Versions of the release records whose digests (or tag) this image is. */
  releases: string[];
  containers: string[];
  /** Empty: it is removed. */
  keep: KeepReason[];
}

export interface PrunePlan {
  /** sha256 of the removal set (image ids and names): the preview's id, checked again at the start. */
  id: string;
  /** Every image of the stack's repositories, newest first, each either removed or kept with its reasons. */
  images: PlannedImage[];
  remove: PlannedImage[];
  /**
   * Bytes freed at least: the sum of the removed images' unique sizes. Layers that only removed
   * images share with each other are freed as well but counted in neither, so the real figure can
   * be higher, never lower (unless Docker computed no shared size: then `unknownSizes` counts them).
   */
  freedBytes: number;
  unknownSizes: number;
  /** Other projects whose containers run images of these repositories; while any exists nothing is removed. */
  otherProjects: string[];
}

const REGISTRY_DEFAULT_HOSTS = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//;

/** Docker shows Docker Hub names short (`redis:7`, `me/app:1`); compare names in that form. */
export function normalizeRef(ref: string): string {
  return ref.replace(REGISTRY_DEFAULT_HOSTS, '').replace(/^library\//, '');
}

/** `repo:tag`, `repo@sha256:…` or `repo:tag@sha256:…` → its parts; a missing tag is `latest` only when there is no digest either. */
export function parseRef(ref: string): { repository: string; tag: string | null; digest: string | null } {
  const normalized = normalizeRef(ref);
  const at = normalized.indexOf('@');
  const named = at >= 0 ? normalized.slice(0, at) : normalized;
  const digest = at >= 0 ? normalized.slice(at + 1) : null;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > slash;
  return { repository: hasTag ? named.slice(0, colon) : named, tag: hasTag ? named.slice(colon + 1) : digest ? null : 'latest', digest };
}

/** The stack's repository → its service: exactly `<prefix>/tale-<service>`, nothing that merely starts so. */
export function stackRepositories(registry: string): Map<string, ServiceName> {
  const prefix = normalizeRef(registry.replace(/\/+$/, ''));
  return new Map(ALL_SERVICES.map((s) => [`${prefix}/tale-${s}`, s]));
}

/** Compose project labels that are this project's: its stateful project, both colours and `tale start`'s dev project (docs/tale-cli.md#names). */
function isOwnProject(label: string | undefined, projectId: string): boolean {
  return label === undefined || label === projectId || label === `${projectId}-blue` || label === `${projectId}-green` || label === `${projectId}-dev`;
}

function versionOfImage(image: DiskImage, repos: Map<string, ServiceName>): string | null {
  for (const name of image.repoTags) {
    const { repository, tag } = parseRef(name);
    if (repos.has(repository) && tag && parseVersion(tag)) return normalizeVersion(tag);
  }
  const label = image.labels['org.opencontainers.image.version'];
  return label && parseVersion(label) ? normalizeVersion(label) : null;
}

/** Whether the image is release `r`: one of its names is `<repo>@<recorded digest>` or `<repo>:<version>`, or it carries the version label. */
function isRelease(image: DiskImage, repos: Map<string, ServiceName>, r: { version: string; digests: Partial<Record<ServiceName, string>> }, byLabel: boolean): boolean {
  for (const name of image.repoDigests) {
    const { repository, digest } = parseRef(name);
    const service = repos.get(repository);
    if (service && digest && r.digests[service] === digest) return true;
  }
  for (const name of image.repoTags) {
    const { repository, tag } = parseRef(name);
    if (repos.has(repository) && tag && normalizeVersion(tag) === normalizeVersion(r.version)) return true;
  }
  const label = image.labels['org.opencontainers.image.version'];
  return byLabel && label !== undefined && normalizeVersion(label) === normalizeVersion(r.version);
}

function matchesPin(image: DiskImage, pin: string): boolean {
  const p = parseRef(pin);
  if (p.digest && image.repoDigests.some((n) => parseRef(n).repository === p.repository && parseRef(n).digest === p.digest)) return true;
  return !p.digest && image.repoTags.some((n) => normalizeRef(n) === `${p.repository}:${p.tag}`);
}

export function planImagePrune(input: PrunePlanInput): PrunePlan {
  const repos = stackRepositories(input.registry);
  const live = input.keep.find((k) => k.role === 'live');
  const liveParsed = live ? parseVersion(live.version) : null;

  const usedBy = new Map<string, DiskContainer[]>();
  for (const c of input.containers) usedBy.set(c.imageId, [...(usedBy.get(c.imageId) ?? []), c]);

  const ours = input.images.filter((i) => [...i.repoTags, ...i.repoDigests].some((n) => repos.has(parseRef(n).repository)));
  // Docker images belong to no project: another Tale project pulling from the same registry shares
  // these repositories, and which of their images its own rollback needs is written in its
  // directory, not ours. Told by the name its containers were created from: the same image under
  // another repository (another registry's name for the same bytes) is only kept while it is used.
  const otherProjects = new Set<string>();
  for (const c of input.containers) {
    const project = c.labels['com.docker.compose.project'];
    if (!isOwnProject(project, input.projectId) && repos.has(parseRef(c.image).repository)) otherProjects.add(project as string);
  }

  const images = ours.map((image): PlannedImage => {
    const names = [...image.repoTags, ...image.repoDigests];
    const ownNames = names.filter((n) => repos.has(parseRef(n).repository));
    const service = repos.get(parseRef(ownNames[0] as string).repository) ?? null;
    const version = versionOfImage(image, repos);
    const containers = (usedBy.get(image.id) ?? []).map((c) => c.name);
    const keep: KeepReason[] = [];
    if (containers.length > 0) keep.push({ kind: 'container', containers });
    for (const k of input.keep) if (isRelease(image, repos, k, true)) keep.push({ kind: k.role, version: k.version });
    const parsed = version ? parseVersion(version) : null;
    // Pulled ahead of an upgrade (a background pre-pull, a CLI deploy between pull and start):
    // what is newer than the live release is about to be needed, not left behind.
    if (liveParsed && parsed && compareVersions(parsed, liveParsed) > 0) keep.push({ kind: 'newer', version: version as string });
    for (const pin of input.pins) if (matchesPin(image, pin)) keep.push({ kind: 'pinned', ref: pin });
    const foreign = names.filter((n) => !repos.has(parseRef(n).repository));
    if (foreign.length > 0) keep.push({ kind: 'other-names', names: foreign });
    if (otherProjects.size > 0) keep.push({ kind: 'other-project', projects: [...otherProjects].sort() });
    const releases = [...new Set(input.records.filter((r) => isRelease(image, repos, r, false)).map((r) => r.version))];
    const uniqueSize = image.sharedSize === null ? null : Math.max(0, image.size - image.sharedSize);
    return {
      id: image.id,
      // Tags first: removing the last tag of a repository also drops its digest names (Docker does).
      names: [...image.repoTags.filter((n) => ownNames.includes(n)), ...image.repoDigests.filter((n) => ownNames.includes(n))],
      service,
      version,
      size: image.size,
      sharedSize: image.sharedSize,
      uniqueSize,
      created: image.created,
      releases,
      containers,
      keep,
    };
  });
  images.sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
  const remove = images.filter((i) => i.keep.length === 0);
  return {
    id: planId(remove),
    images,
    remove,
    freedBytes: remove.reduce((sum, i) => sum + (i.uniqueSize ?? 0), 0),
    unknownSizes: remove.filter((i) => i.uniqueSize === null).length,
    otherProjects: [...otherProjects].sort(),
  };
}

/** The removal set's identity: the same images under the same names give the same id. */
export function planId(remove: ReadonlyArray<Pick<PlannedImage, 'id' | 'names'>>): string {
  const canonical = remove.map((i) => `${i.id} ${[...i.names].sort().join(',')}`).sort();
  return createHash('sha256').update(canonical.join('\n')).digest('hex');
}
