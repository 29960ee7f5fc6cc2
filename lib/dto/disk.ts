// The disk page and GET /api/v1/disk: what the stack's images, volumes and Docker's build cache
// take, and what "Remove unused images" would remove (docs/disk.md).

export type DiskImageDto = {
  id: string;
  /** Its names in the stack's repositories (`repo:tag`, or `repo@sha256:…` when pulled by digest). */
  names: string[];
  service: string | null;
  version: string | null;
  /** Bytes of all its layers. */
  size: number;
  /** Bytes it shares with other images; null when Docker did not say. */
  sharedSize: number | null;
  /** size − sharedSize: what removing only this image frees. */
  uniqueSize: number | null;
  created: string;
  /** Versions of the release records that ran this image. */
  releases: string[];
  /** Containers (running or stopped) created from it. */
  containers: string[];
  /** Removed by "Remove unused images". */
  remove: boolean;
  /** Why it is kept, in words; empty when it is removed. */
  keptBecause: string[];
};

export type DiskVolumeDto = { name: string; size: number | null; containers: number | null };

export type PrunePlanDto = {
  /** The removal set's identity: POST /api/v1/disk/prune-images sends it back, and a changed set is refused. */
  id: string;
  images: Array<Pick<DiskImageDto, 'id' | 'names' | 'service' | 'version' | 'size' | 'uniqueSize'>>;
  /** At least this many bytes are freed (the removed images' unique sizes; layers only they share are freed on top). */
  freedBytes: number;
  /** Removed images whose unique size Docker did not compute (not counted in freedBytes). */
  unknownSizes: number;
  /** Why nothing may be removed now (another project shares the repositories, the live colour cannot be told), or null. */
  blocked: string | null;
};

export type DiskUsageDto = {
  projectId: string;
  /** The image prefix: the stack's repositories are `<registry>/tale-<service>`. */
  registry: string;
  liveVersion: string | null;
  /** Where a rollback goes: the release record's previous release and the state file's, when they differ. */
  previousVersions: string[];
  images: DiskImageDto[];
  /** Sum of the images' sizes: a layer shared by several counts once for each, so the disk holds at most this for them. */
  imagesBytes: number;
  volumes: DiskVolumeDto[];
  volumesBytes: number;
  /** Docker's build cache (every build on this host, not only the stack's); null when Docker reports none. */
  buildCacheBytes: number | null;
  plan: PrunePlanDto;
};
