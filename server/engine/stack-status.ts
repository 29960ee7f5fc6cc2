import { containerName } from '@/server/stack/stack-names';
import type { Color, ServiceName } from '@/server/stack/types';
import { ROTATABLE_SERVICES, STATEFUL_SERVICES } from '@/server/stack/types';
import { detectActiveColor, versionOf, type ActiveColor } from './active-color';
import type { ContainerDetails, DockerPort, HealthStatus, ProjectPort } from './ports';

/** The CLI's status words (docs/tale-cli.md#status-words), derived the same way. */
export type ContainerStatusWord = 'not deployed' | 'stopped' | 'healthy' | 'starting' | 'unhealthy' | 'running';

export interface ContainerStatus {
  service: ServiceName;
  color: Color | null;
  name: string;
  exists: boolean;
  status: ContainerStatusWord;
  state: string | null;
  health: HealthStatus | null;
  version: string | null;
  image: string | null;
  digest: string | null;
  startedAt: string | null;
  restartCount: number | null;
  active: boolean;
}

export interface StackStatus {
  activeColor: Color | null;
  activeSource: ActiveColor['source'] | 'ambiguous';
  stateFile: { color: Color | null; invalid: boolean };
  previousVersion: string | null;
  containers: ContainerStatus[];
  warnings: string[];
}

function statusWord(d: ContainerDetails | null): ContainerStatusWord {
  if (!d) return 'not deployed';
  if (!d.running) return 'stopped';
  if (d.health === 'none') return 'running';
  return d.health;
}

function describe(name: string, service: ServiceName, color: Color | null, d: ContainerDetails | null, active: boolean): ContainerStatus {
  return {
    service,
    color,
    name,
    exists: d !== null,
    status: statusWord(d),
    state: d?.state ?? null,
    health: d?.health ?? null,
    version: versionOf(d ?? undefined),
    image: d?.image ?? null,
    digest: d?.digest ?? null,
    startedAt: d?.startedAt ?? null,
    restartCount: d?.restartCount ?? null,
    active,
  };
}

/** What the status reads of a deployment directory (the fleet reads a remote one over SFTP). */
export type StatusProject = Pick<ProjectPort, 'readProjectId' | 'readDeploymentColor' | 'readPreviousVersion'>;

/** Read-only: takes no lock, like `tale status`. */
export async function stackStatus(docker: DockerPort, project: StatusProject): Promise<StackStatus> {
  const projectId = await project.readProjectId();
  let activeColor: Color | null = null;
  let activeSource: StackStatus['activeSource'];
  let stateFile: StackStatus['stateFile'];
  const warnings: string[] = [];
  // The colour containers detectActiveColor inspected, reused below (the overview polls this).
  let inspected: ActiveColor['colors'] | null = null;
  try {
    const active = await detectActiveColor(docker, project, projectId);
    inspected = active.colors;
    activeColor = active.color;
    activeSource = active.source;
    stateFile = active.stateFile;
    warnings.push(...active.warnings);
  } catch (err) {
    // Status must still show the containers when the live colour cannot be decided.
    activeSource = 'ambiguous';
    stateFile = await project.readDeploymentColor();
    warnings.push((err as Error).message);
  }
  const containers: ContainerStatus[] = [];
  for (const service of STATEFUL_SERVICES) {
    const name = containerName(projectId, service, null);
    containers.push(describe(name, service, null, await docker.inspectContainer(name), true));
  }
  for (const color of ['blue', 'green'] as const) {
    for (const service of ROTATABLE_SERVICES) {
      const name = containerName(projectId, service, color);
      const details = inspected ? (inspected[color].containers[service] ?? null) : await docker.inspectContainer(name);
      containers.push(describe(name, service, color, details, color === activeColor));
    }
  }
  return { activeColor, activeSource, stateFile, previousVersion: await project.readPreviousVersion(), containers, warnings };
}
