import { colorProject, containerName, networkName } from '@/server/stack/stack-names';
import type { Color, RotatableService } from '@/server/stack/types';
import { ROTATABLE_SERVICES } from '@/server/stack/types';
import { EngineError } from './engine-error';
import type { ContainerDetails, DockerPort, ProjectPort } from './ports';

export interface ColorContainers {
  color: Color;
  /** Existing containers of the colour, by service. */
  containers: Partial<Record<RotatableService, ContainerDetails>>;
  running: number;
  /** Its platform answers to the name the proxy routes to. */
  holdsSharedAlias: boolean;
}

export interface ActiveColor {
  color: Color | null;
  source: 'state-file' | 'docker' | 'none';
  stateFile: { color: Color | null; invalid: boolean };
  colors: Record<Color, ColorContainers>;
  warnings: string[];
}

async function colorContainers(docker: DockerPort, projectId: string, color: Color): Promise<ColorContainers> {
  const containers: ColorContainers['containers'] = {};
  for (const service of ROTATABLE_SERVICES) {
    const details = await docker.inspectContainer(containerName(projectId, service, color));
    if (details) containers[service] = details;
  }
  const running = Object.values(containers).filter((c) => c.running).length;
  const platform = containers.platform;
  const holdsSharedAlias = Boolean(platform?.running && platform.networks[networkName(projectId)]?.aliases.includes('platform'));
  return { color, containers, running, holdsSharedAlias };
}

/**
 * The live colour, from Docker and the state file together (docs/architecture.md#the-live-colour). The
 * CLI trusts the file alone, so a lost or corrupt file made it "first deploy" onto blue and remove
 * the live blue containers; here running containers always win over a missing or stale file, and
 * two running colours that cannot be told apart stop the operation instead of guessing.
 */
export async function detectActiveColor(docker: DockerPort, project: Pick<ProjectPort, 'readDeploymentColor'>, projectId: string): Promise<ActiveColor> {
  const stateFile = await project.readDeploymentColor();
  const colors: Record<Color, ColorContainers> = {
    blue: await colorContainers(docker, projectId, 'blue'),
    green: await colorContainers(docker, projectId, 'green'),
  };
  const warnings: string[] = [];
  if (stateFile.invalid) warnings.push('The state file .tale/deployment-color is unreadable; the live colour was taken from Docker');

  if (stateFile.color && colors[stateFile.color].running > 0) {
    return { color: stateFile.color, source: 'state-file', stateFile, colors, warnings };
  }

  const runningColors = (['blue', 'green'] as const).filter((c) => colors[c].running > 0);
  if (runningColors.length === 0) {
    if (stateFile.color) warnings.push(`The state file names ${stateFile.color}, but none of its containers is running`);
    return { color: null, source: 'none', stateFile, colors, warnings };
  }

  let color: Color | undefined;
  if (runningColors.length === 1) {
    color = runningColors[0];
  } else {
    const withAlias = runningColors.filter((c) => colors[c].holdsSharedAlias);
    if (withAlias.length === 1) color = withAlias[0];
  }
  if (!color) {
    throw new EngineError(
      'ACTIVE_COLOR_AMBIGUOUS',
      'Both colours are running and neither the state file nor the network tells which one is live; remove the wrong colour before deploying',
    );
  }
  if (stateFile.color !== color && !stateFile.invalid) {
    warnings.push(
      stateFile.color
        ? `The state file names ${stateFile.color}, but ${color} is the colour running; using ${color}`
        : `The state file is missing; ${color} is running and is treated as live`,
    );
  }
  return { color, source: 'docker', stateFile, colors, warnings };
}

/** The version a colour runs: our label, else the image's OCI label the CLI reads (docs/tale-cli.md#labels). */
export function versionOf(details: ContainerDetails | undefined): string | null {
  return details ? versionFromLabels(details.labels) : null;
}

/** versionOf for a container's labels as Docker lists them. */
export function versionFromLabels(labels: Record<string, string>): string | null {
  return labels['io.tale.console.version'] ?? labels['org.opencontainers.image.version'] ?? null;
}

/**
 * Every container of a colour: `known` (by default its main containers' names, which may not
 * exist) and whatever else carries the colour's compose label: leftovers of a failed deploy, an
 * in-place replacement, a CLI run.
 */
export async function colorContainerNames(
  docker: DockerPort,
  projectId: string,
  color: Color,
  known: Iterable<string> = ROTATABLE_SERVICES.map((s) => containerName(projectId, s, color)),
): Promise<string[]> {
  const names = new Set(known);
  for (const c of await docker.listContainers({ 'com.docker.compose.project': colorProject(projectId, color) })) names.add(c.name);
  return [...names];
}
