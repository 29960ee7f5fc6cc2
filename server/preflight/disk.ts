import { formatBytes } from '@/lib/format-usage';
import { GB, MB, type Check, type CheckResult, type DiskFigures } from './types';

// The next release's images land in the Docker data root (docker info DockerRootDir). Its size is
// estimated as the sizes of the images the stack runs now (docker image inspect Size, counted whole):
// a next release shares base layers with this one, so this overestimates, which errs on the safe
// side. The deployment directory needs a little room too (state files, the old copies of edited files).

/** Assumed for a first deploy, when no release runs to measure. */
export const DEFAULT_RELEASE_BYTES = 4 * GB;
/** Kept free beyond the images: logs, container layers, the database's growth. */
export const DISK_HEADROOM_BYTES = 2 * GB;
/** The deployment directory's filesystem below this fails: state files could not be written. */
export const DEPLOY_DIR_MIN_BYTES = 100 * MB;

export function decideDisk(root: DiskFigures, deploy: DiskFigures | null, releaseBytes: number | null): CheckResult {
  const estimate = releaseBytes ?? DEFAULT_RELEASE_BYTES;
  const needed = estimate + DISK_HEADROOM_BYTES;
  const figures = {
    dataRoot: root.path,
    dataRootFreeBytes: root.freeBytes,
    dataRootTotalBytes: root.totalBytes,
    readVia: root.via,
    releaseBytes: estimate,
    releaseEstimated: releaseBytes === null,
    headroomBytes: DISK_HEADROOM_BYTES,
    deployDirFreeBytes: deploy?.freeBytes ?? null,
  };
  const release = releaseBytes === null ? `about ${formatBytes(estimate)} assumed for a first release` : `${formatBytes(estimate)}, the size of the images the stack runs now`;
  if (root.freeBytes < needed) {
    return {
      status: 'fail',
      summary: `${formatBytes(root.freeBytes)} free on the filesystem of ${root.path}; the next release's images need ${release}, plus ${formatBytes(DISK_HEADROOM_BYTES)} headroom.`,
      fix: 'Free disk space: remove unused images (`docker image prune -a`), old containers and logs, or grow the filesystem.',
      figures,
    };
  }
  if (deploy && deploy.freeBytes < DEPLOY_DIR_MIN_BYTES) {
    return {
      status: 'fail',
      summary: `Only ${formatBytes(deploy.freeBytes)} free on the deployment directory's filesystem (${deploy.path}); the deploy writes its state files there.`,
      fix: `Free at least ${formatBytes(DEPLOY_DIR_MIN_BYTES)} on that filesystem.`,
      figures,
    };
  }
  return { status: 'pass', summary: `${formatBytes(root.freeBytes)} free for ${root.path}; the next release needs ${release}, plus ${formatBytes(DISK_HEADROOM_BYTES)} headroom.`, fix: null, figures };
}

export const diskCheck: Check = {
  id: 'disk',
  title: 'Disk for the next release',
  run: async (port, ctx) => {
    const rootPath = ctx.dataRootOverride ?? (await port.engine()).dataRoot;
    const [root, deploy, release] = await Promise.all([
      port.dataRootDisk(rootPath),
      // The deployment directory's figure only adds a warning: the data root's decides.
      port.pathDisk(ctx.deployDir).catch(() => null),
      ctx.projectId ? port.releaseImageBytes(ctx.projectId) : Promise.resolve(null),
    ]);
    return decideDisk(root, deploy, release);
  },
};
