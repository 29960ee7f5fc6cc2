import 'server-only';
import type { BackupPorts } from '../backup/ports';
import type { EnginePorts } from '../engine/ports';
import type { Runtime } from '../runtime';
import { stackDbImage } from './external-database-steps';

/**
 * The backup engine's ports from the runtime, for every job that backs up, restores or drills
 * (backups, the gate, the schedule, drills, a fresh host's restore). Its own module: the backups
 * and drills services both need it and each other's answers would otherwise import in a circle.
 */
export function backupPorts(rt: Runtime, ports: EnginePorts): BackupPorts {
  return {
    ...ports,
    repo: rt.backups.repo,
    exec: rt.host.exec,
    volumes: rt.backups.volumes,
    readProjectFiles: rt.backups.readProjectFiles,
    oneShot: rt.backups.oneShot,
    stackDbImage: async () => (await stackDbImage({ docker: rt.docker, probe: rt.host.probe, files: rt.files }, await rt.project.readProjectId())).image,
  };
}
