import type Docker from 'dockerode';
import type { DiskContainer, DiskImage, DiskPort, DiskUsage, DiskVolume, RemoveImageOutcome } from '@/server/engine/image-prune-plan';

// The disk page's and the image prune's view of the Docker Engine: `docker system df -v` (one
// API call: images with their shared sizes, containers, volumes with sizes, build cache) and the
// removal of one image name. Never forced, so Docker itself refuses to delete an image a container
// uses (409), even one created after the plan was made.

type DfImage = { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Size?: number; SharedSize?: number; Created?: number; Labels?: Record<string, string> | null };
type DfContainer = { Id: string; Names?: string[]; Image?: string; ImageID?: string; State?: string; Labels?: Record<string, string> | null };
type DfVolume = { Name: string; Labels?: Record<string, string> | null; UsageData?: { Size?: number; RefCount?: number } | null };
type Df = { LayersSize?: number; Images?: DfImage[] | null; Containers?: DfContainer[] | null; Volumes?: DfVolume[] | null; BuildCache?: Array<{ Size?: number }> | null; BuilderSize?: number };

const PLACEHOLDER = /^<none>[:@]<none>$/;
/** Docker reports -1 for a figure it did not compute. */
const known = (n: number | undefined): number | null => (typeof n === 'number' && n >= 0 ? n : null);

export function toDiskUsage(df: Df): DiskUsage {
  const images: DiskImage[] = (df.Images ?? []).map((i) => ({
    id: i.Id,
    repoTags: (i.RepoTags ?? []).filter((t) => !PLACEHOLDER.test(t)),
    repoDigests: (i.RepoDigests ?? []).filter((t) => !PLACEHOLDER.test(t)),
    size: known(i.Size) ?? 0,
    sharedSize: known(i.SharedSize),
    created: new Date((i.Created ?? 0) * 1000).toISOString(),
    labels: i.Labels ?? {},
  }));
  const containers: DiskContainer[] = (df.Containers ?? []).map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    imageId: c.ImageID ?? '',
    image: c.Image ?? '',
    state: c.State ?? 'unknown',
    labels: c.Labels ?? {},
  }));
  const volumes: DiskVolume[] = (df.Volumes ?? []).map((v) => ({
    name: v.Name,
    size: known(v.UsageData?.Size),
    refCount: known(v.UsageData?.RefCount),
    labels: v.Labels ?? {},
  }));
  const cache = df.BuildCache ? df.BuildCache.reduce((sum, b) => sum + (known(b.Size) ?? 0), 0) : null;
  return { images, containers, volumes, buildCacheBytes: cache ?? known(df.BuilderSize), layersSize: known(df.LayersSize) ?? 0 };
}

export function createDiskPort(api: Docker): DiskPort {
  return {
    usage: async () => toDiskUsage((await api.df()) as Df),
    async removeImage(ref: string): Promise<RemoveImageOutcome> {
      try {
        await api.getImage(ref).remove({ force: false, noprune: false });
        return 'removed';
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 409) return 'in-use';
        if (status === 404) return 'missing';
        throw err;
      }
    },
  };
}

/**
 * Bytes of every image layer on the host, as `docker system df` counts them (LayersSize), each
 * layer once however many images share it. Engine 20.10 runs one disk-usage call at a time and
 * refuses a second: the caller treats a failure as "not measured".
 */
export async function layerBytes(docker: Docker): Promise<number> {
  const usage = (await docker.df()) as { LayersSize?: unknown };
  if (typeof usage.LayersSize !== 'number') throw new Error('Docker did not report the size of its layers');
  return usage.LayersSize;
}
