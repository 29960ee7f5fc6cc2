import { CodedError } from '@/lib/errors';
import type { FleetProbeDto, FleetServiceDto } from '@/lib/dto/environments';
import { createDockerPort } from '../docker/docker-adapter';
import { stackStatus, type StatusProject } from '../engine/stack-status';
import { STATE_DIR, TALE_JSON } from '../project/project-paths';
import { projectIdOf, type TaleJson } from '../project/tale-json';
import { ProjectError } from '../project/project-error';
import type { RemoteEndpoint, RemoteFiles } from '../remote/ssh-endpoint';

// The state of a remote environment's stack, read the way the local overview reads its own: the
// project id from tale.json and the colour state files over SFTP, the containers from the remote
// Docker, and the same engine function (stackStatus) deciding the live colour and each status word.

/** The read-only part of a deployment directory that the status needs, over the remote's files. */
export function remoteStatusProject(files: RemoteFiles): StatusProject {
  const text = async (rel: string) => (await files.readFile(rel))?.toString('utf8') ?? null;
  return {
    async readProjectId() {
      const raw = await text(TALE_JSON);
      if (raw === null) throw new ProjectError('PROJECT_NOT_FOUND', 'No Tale project in this deployment directory (no tale.json).');
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new ProjectError('TALE_JSON_INVALID', 'tale.json is not valid JSON.');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProjectError('TALE_JSON_INVALID', 'tale.json must contain a JSON object.');
      return projectIdOf(parsed as TaleJson);
    },
    async readDeploymentColor() {
      const raw = (await text(`${STATE_DIR}/deployment-color`))?.trim();
      if (raw === undefined) return { color: null, invalid: false };
      return raw === 'blue' || raw === 'green' ? { color: raw, invalid: false } : { color: null, invalid: true };
    },
    async readPreviousVersion() {
      const raw = (await text(`${STATE_DIR}/deployment-previous-version`))?.trim() ?? '';
      return raw === '' ? null : raw;
    },
  };
}

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

/** The probe's answer for a host that answered: its stack, or why the stack could not be read. */
export async function remoteProbe(endpoint: RemoteEndpoint): Promise<Extract<FleetProbeDto, { reachable: true }>> {
  const project = remoteStatusProject(endpoint.files);
  try {
    const projectId = await project.readProjectId();
    const s = await stackStatus(createDockerPort(endpoint.docker.api), project);
    const active = s.containers.find((c) => c.active && c.service === 'platform');
    return { reachable: true, initialised: true, projectId, activeColor: s.activeColor, activeVersion: active?.version ?? null, services: fleetServices(s.containers), message: null };
  } catch (err) {
    // A directory without a project is reachable and empty, not broken.
    if (err instanceof CodedError) return { reachable: true, initialised: false, projectId: null, activeColor: null, activeVersion: null, services: [], message: err.message };
    throw err;
  }
}
