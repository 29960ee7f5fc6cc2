import { CodedError } from '@/lib/errors';
import type { FleetProbeDto, FleetServiceDto } from '@/lib/dto/environments';
import { stackStatus } from '../engine/stack-status';
import type { DockerPort, ProjectPort } from '../engine/ports';
import { RemoteError } from '../remote/remote-error';

// The state of a remote environment's stack, read the way the local overview reads its own: the
// project id from tale.json and the colour state files over SFTP (the same project modules), the containers from the remote
// Docker, and the same engine function (stackStatus) deciding the live colour and each status word.

type StatusContainer = { service: string; status: string; version: string | null; active: boolean; color: string | null };

/**
 * One line per service: the live container's status and version (a stateful service's only
 * container; a rotating one's on the live colour, else whichever colour exists).
 */
export function fleetServices(containers: readonly StatusContainer[]): FleetServiceDto[] {
  const byService = new Map<string, StatusContainer[]>();
  for (const c of containers) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  return [...byService].map(([service, list]) => {
    const pick = list.find((c) => c.active && c.status !== 'not deployed') ?? list.find((c) => c.status !== 'not deployed') ?? list[0]!;
    return { service, status: pick.status, version: pick.version };
  });
}

/** The probe's answer for a host that answered, over its kept runtime's ports (rt.docker, rt.project): only reads, no lock. */
export async function stackProbe(docker: DockerPort, project: ProjectPort): Promise<Extract<FleetProbeDto, { reachable: true }>> {
  try {
    // tale.json read once (stackStatus reads the project id too): one SFTP read fewer per probe.
    const projectId = await project.readProjectId();
    const s = await stackStatus(docker, { ...project, readProjectId: async () => projectId });
    const active = s.containers.find((c) => c.active && c.service === 'platform');
    return { reachable: true, initialised: true, projectId, activeColor: s.activeColor, activeVersion: active?.version ?? null, services: fleetServices(s.containers), message: null };
  } catch (err) {
    // A directory without a project is reachable and empty, not broken. A transport error (the
    // kept runtime connects on first use, so it surfaces here) is the host's, not the project's.
    if (err instanceof CodedError && !(err instanceof RemoteError)) return { reachable: true, initialised: false, projectId: null, activeColor: null, activeVersion: null, services: [], message: err.message };
    throw err;
  }
}
