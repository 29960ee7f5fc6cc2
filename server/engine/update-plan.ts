import { colorSpecs, networkSpec, registryOf, statefulSpecs, type StackInput } from '@/server/stack/generate-stack';
import { isRotatable, liveAliases } from '@/server/stack/stack-names';
import type { ContainerSpec, RotatableService, ServiceName } from '@/server/stack/types';
import { ALL_SERVICES } from '@/server/stack/types';
import { detectActiveColor, versionOf } from './active-color';
import { EngineError } from './engine-error';
import { engineSettings } from './engine-settings';
import { dependencyWaves, resolveRelease, RETIRE_ORDER, RETIRING_SUFFIX, retiringLeftover, startSteps } from './plan-steps';
import { PROXY_UNCHANGED, proxyUnchanged } from './proxy-restart';
import type { DeployPlan, DeployStep, PlanOptions } from './plan-types';
import type { EnginePorts } from './ports';

/** The replacement of a live container waits under this name until it has passed the gate. */
export const UPDATE_SUFFIX = '-next';

function checkServices(services: ServiceName[]): ServiceName[] {
  const unique = [...new Set(services)];
  const invalid = unique.filter((s) => !ALL_SERVICES.includes(s));
  if (unique.length === 0 || invalid.length > 0) {
    throw new EngineError(
      'INVALID_SERVICES',
      invalid.length > 0 ? `Invalid service(s): ${invalid.join(', ')}; valid: ${ALL_SERVICES.join(', ')}` : 'Name at least one service to update',
    );
  }
  return unique;
}

/**
 * In-place update of named services, the CLI's `deploy --services` without its outage: compose
 * recreated the live container (stop, then create), so the site answered with errors until the
 * new one was up, and the proxy could reach it before it was healthy. Here a listed platform, rag
 * or crawler is replaced beside the live one: the replacement starts under a temporary name with
 * no DNS alias at all, passes the health gate, takes the live aliases (the same switch as a
 * blue-green deploy), then both are renamed (old aside, new to the real name) and the old one is retired gracefully.
 * Stateful services hold their data volume and published ports, so a listed one is stopped
 * gracefully and recreated in place, as compose does. Unlisted services are never touched.
 */
export async function buildUpdatePlan(ports: EnginePorts, options: PlanOptions & { services: ServiceName[] }): Promise<DeployPlan> {
  const { docker, project } = ports;
  const services = checkServices(options.services);
  const projectId = await project.readProjectId();
  const env = await project.readEnv();
  const override = await project.readOverride();
  const settings = engineSettings(env, options.settings);
  const active = await detectActiveColor(docker, project, projectId);
  const color = active.color;
  if (color === null) {
    throw new EngineError('NO_ACTIVE_DEPLOYMENT', 'No active deployment to update in place; run a full deploy first (without services)');
  }
  const release = await resolveRelease(ports, registryOf(env), options);
  const input: StackInput = { projectId, deploymentDir: project.dir, env, override, images: release };
  const network = networkSpec(projectId);
  const warnings = [...active.warnings];
  if (options.all) warnings.push('"all" is ignored for an in-place update: only the named services are recreated');

  const listed = statefulSpecs(input).filter((s) => services.includes(s.service));
  const skipped = services.filter((s) => !isRotatable(s) && !listed.some((x) => x.service === s));
  if (skipped.length > 0) warnings.push(`Not part of this stack (external database?): ${skipped.join(', ')}`);
  // A running proxy is recreated only when its configuration changed, and then with the shortest
  // gap Docker allows (startSteps): while it is replaced, nothing reaches the site.
  const stateful: ContainerSpec[] = [];
  const statefulSteps: DeployStep[] = [];
  const replacing = new Map<string, number>();
  for (const spec of listed) {
    const existing = await docker.inspectContainer(spec.name);
    if (spec.service === 'proxy') {
      statefulSteps.push(...(await retiringLeftover(ports, spec)));
      if (existing?.running && proxyUnchanged(existing, spec)) {
        warnings.push(PROXY_UNCHANGED);
        continue;
      }
      if (existing?.running) replacing.set(spec.name, spec.stopGracePeriodSeconds);
    }
    stateful.push(spec);
    if (!existing || replacing.has(spec.name)) continue;
    statefulSteps.push({
      phase: 'stateful',
      action: 'remove',
      container: spec.name,
      reason: 'update in place',
      stopGraceSeconds: existing.running ? spec.stopGracePeriodSeconds : null,
    });
  }
  const live = active.colors[color].containers;
  const rotatable = colorSpecs(input, color).filter((s) => services.includes(s.service));
  // No alias before the gate, not even the colour's own: the live container still answers to it.
  const replacements: ContainerSpec[] = rotatable.map((s) => ({ ...s, name: `${s.name}${UPDATE_SUFFIX}`, network: { ...s.network, aliases: [] } }));

  const specs: Record<string, ContainerSpec> = {};
  for (const spec of [...stateful, ...replacements]) specs[spec.name] = spec;
  const steps: DeployStep[] = [];
  for (const image of [...new Set([...stateful, ...replacements].map((s) => s.image))]) {
    steps.push({ phase: 'pull', group: 'pull', action: 'pull', image });
  }
  steps.push({ phase: 'infrastructure', action: 'ensure-network', network: network.name });

  steps.push(...statefulSteps);
  steps.push(...startSteps(dependencyWaves(stateful), { start: 'stateful', health: 'stateful' }, replacing));

  // A replacement left by an interrupted update never carried traffic under a shared name unless
  // it was switched; either way it is ours to remove before creating a new one.
  for (const spec of replacements) {
    const leftover = await docker.inspectContainer(spec.name);
    if (leftover) steps.push({ phase: 'cleanup-target', action: 'remove', container: spec.name, reason: 'leftover of an interrupted update', stopGraceSeconds: leftover.running ? settings.drainTimeoutSeconds : null });
  }
  steps.push(...startSteps(dependencyWaves(replacements), { start: 'start', health: 'health' }));
  for (const spec of replacements) {
    steps.push({ phase: 'switch', action: 'switch', container: spec.name, network: network.name, aliases: liveAliases(spec.service as RotatableService, color) });
  }
  const liveVersion = versionOf(live.platform);
  const platformUpdated = rotatable.some((s) => s.service === 'platform');
  steps.push({
    phase: 'switch',
    action: 'write-state',
    color,
    // Like the CLI, an update of the platform records what it replaced, so rollback can return to it.
    previousVersion: platformUpdated && liveVersion !== null && liveVersion !== release.version ? liveVersion : null,
  });
  // Renaming a container re-registers its DNS records, a moment in which it answers to no name.
  // Both renames therefore happen while the old and the new container both hold the shared
  // aliases, so one of them always answers; only then is the old one retired. (Renaming the
  // replacement after the old one had stopped failed requests under load in CI.)
  const retiring = (name: string) => `${name}${RETIRING_SUFFIX}`;
  for (const spec of rotatable) {
    const old = live[spec.service as RotatableService];
    if (old) steps.push({ phase: 'switch', action: 'rename', container: old.name, to: retiring(old.name) });
    steps.push({ phase: 'switch', action: 'rename', container: `${spec.name}${UPDATE_SUFFIX}`, to: spec.name });
  }
  for (const service of RETIRE_ORDER) {
    const old = live[service];
    if (!old || !rotatable.some((s) => s.service === service)) continue;
    steps.push({ phase: 'retire', group: service === 'platform' ? 'retire-entry' : 'retire-backends', action: 'retire', container: retiring(old.name), graceSeconds: settings.drainTimeoutSeconds });
  }

  return {
    kind: 'update',
    projectId,
    version: release.version,
    digests: release.digests,
    activeColor: color,
    activeSource: active.source,
    targetColor: color,
    liveVersion,
    specs,
    targetContainers: replacements.map((s) => s.name),
    steps,
    warnings,
    settings,
    proxyRestart: replacing.size > 0,
  };
}
