import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { BackupError } from '../backup/backup-error';
import type { HelperSpec, VolumeArchiver, VolumeHelper } from '../backup/ports';

// Volumes as tar streams through Docker's archive API (GET and PUT /containers/{id}/archive) of a
// helper container that mounts them, so no extra image is needed: the helper is made from an
// image the stack already has (the db's), and it is created but never started for a backup.
// Docker reads a volume of a created container just as of a running one. For a restore it runs
// once, as root, to empty the volumes (`find … -mindepth 1 -delete`, an argv, no shell), and the
// tars are then extracted into it; Docker keeps the owners and modes recorded in the tar.

const MOUNT_ROOT = '/volumes';

function isStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: number }).statusCode === status;
}

async function removeQuietly(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, v: false });
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
  }
}

export function createVolumeArchiver(docker: Docker): VolumeArchiver {
  return {
    async withHelper<T>(spec: HelperSpec, fn: (helper: VolumeHelper) => Promise<T>): Promise<T> {
      // A helper left by a console that was killed mid-backup holds the same name.
      await removeQuietly(docker, spec.name);
      const mounts = spec.volumes.map((v) => `${v.name}:${MOUNT_ROOT}/${v.key}${spec.readOnly ? ':ro' : ''}`);
      const container = await docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Entrypoint: ['find'],
        Cmd: [...spec.volumes.map((v) => `${MOUNT_ROOT}/${v.key}`), '-mindepth', '1', '-delete'],
        User: '0:0',
        Labels: spec.labels,
        NetworkDisabled: true,
        HostConfig: { Binds: mounts, NetworkMode: 'none' },
      });
      const keys = new Set(spec.volumes.map((v) => v.key));
      const known = (key: string) => {
        if (!keys.has(key)) throw new BackupError('BACKUP_TOOL_FAILED', `The helper does not mount ${key}.`);
        return `${MOUNT_ROOT}/${key}`;
      };
      const helper: VolumeHelper = {
        async read(key) {
          return (await container.getArchive({ path: known(key) })) as unknown as Readable;
        },
        async empty() {
          if (spec.readOnly) throw new BackupError('BACKUP_TOOL_FAILED', 'A read-only helper cannot empty volumes.');
          await container.start();
          const result = (await container.wait()) as { StatusCode?: number };
          if (result.StatusCode !== 0) {
            throw new BackupError('RESTORE_FAILED', `Emptying the volumes failed (exit ${result.StatusCode ?? 'unknown'}).`);
          }
        },
        async write(key, tar) {
          known(key);
          // The tar's entries start with `<key>/`, so it is extracted one level up.
          const answer = (await container.putArchive(tar as unknown as NodeJS.ReadableStream, { path: MOUNT_ROOT })) as unknown as Readable | undefined;
          answer?.resume?.();
        },
      };
      try {
        return await fn(helper);
      } finally {
        await removeQuietly(docker, spec.name);
      }
    },
  };
}
