import { colorSpecs, networkSpec, registryOf, statefulSpecs, volumeSpecs, type StackInput } from '@/server/stack/generate-stack';
import { liveAliases, nextColor } from '@/server/stack/stack-names';
import type { ContainerSpec, RotatableService } from '@/server/stack/types';
import { ROTATABLE_SERVICES } from '@/server/stack/types';
import { colorContainerNames, detectActiveColor, versionOf } from './active-color';
import { EngineError } from './engine-error';
import { engineSettings } from './engine-settings';
import { dependencyWaves, resolveRelease, RETIRE_ORDER, retiringLeftover, startSteps } from './plan-steps';
import { PROXY_UNCHANGED, proxyUnchanged } from './proxy-restart';
import type { DeployPlan, DeployStep, PlanOptions } from './plan-types';
import type { EnginePorts } from './ports';
import { rollbackTarget } from './release-record';
import { buildUpdatePlan } from './update-plan';

async function buildPlan(ports: EnginePorts, kind: DeployPlan['kind'], options: PlanOptions): Promise<DeployPlan> {
  const { docker, project } = ports;
  const projectId = await project.readProjectId();
  const env = await project.readEnv();
  const override = await project.readOverride();
  const settings = engineSettings(env, options.settings);
  const registry = registryOf(env);

  const active = await detectActiveColor(docker, project, projectId);
  let requested = options.version;
  let digests = options.digests;
  if (kind === 'rollback') {
    if (active.color === null) throw new EngineError('NO_ACTIVE_DEPLOYMENT', 'There is no live deployment to roll back from');
    if (digests === undefined) {
      // By digest when a release record has it: a moved tag must not change what "v1" means.
      const target = await rollbackTarget(project, requested, versionOf(active.colors[active.color].containers.platform));
      requested = target.version;
      digests = target.digests;
      ports.events.emit({ step: 'resolve', status: 'progress', data: { version: target.version, source: target.source, pinned: Boolean(digests) } });
    }
  }
  const release = await resolveRelease(ports, registry, { ...options, version: requested, digests });

  const input: StackInput = { projectId, deploymentDir: project.dir, env, override, images: release };
  const targetColor = nextColor(active.color);
  const network = networkSpec(projectId);
  const specs: Record<string, ContainerSpec> = {};
  const steps: DeployStep[] = [];
  const warnings = [...active.warnings];

  // Stateful services: only on first deploy, with `all`, or when one is not running. A rollback
  // never touches them (the CLI's rollback does not either; convex keeps its newer schema). A
  // running proxy is recreated only when its configuration changed, and then with the shortest
  // gap Docker allows (startSteps): while it is replaced, nothing reaches the site.
  const stateful: ContainerSpec[] = [];
  const statefulRemovals: DeployStep[] = [];
  const replacing = new Map<string, number>();
  if (kind === 'deploy') {
    for (const spec of statefulSpecs(input)) {
      const existing = await docker.inspectContainer(spec.name);
      // A settings apply also looks at a running proxy: recreated below only when its hash changed.
      if (existing?.running && !options.all && !(options.proxy && spec.service === 'proxy')) continue;
      if (spec.service === 'proxy') {
        statefulRemovals.push(...(await retiringLeftover(ports, spec)));
        if (existing?.running && proxyUnchanged(existing, spec)) {
          warnings.push(PROXY_UNCHANGED);
          continue;
        }
      }
      stateful.push(spec);
      if (spec.service === 'proxy' && existing?.running) {
        replacing.set(spec.name, spec.stopGracePeriodSeconds);
        continue;
      }
      if (existing) {
        statefulRemovals.push({
          phase: 'stateful',
          action: 'remove',
          container: spec.name,
          reason: existing.running ? 'recreate (all)' : 'not running',
          stopGraceSeconds: existing.running ? spec.stopGracePeriodSeconds : null,
        });
      }
    }
  }
  const target = colorSpecs(input, targetColor, 'candidate');
  for (const spec of [...stateful, ...target]) specs[spec.name] = spec;

  const images = [...new Set([...stateful, ...target].map((s) => s.image))];
  for (const image of images) steps.push({ phase: 'pull', group: 'pull', action: 'pull', image });
  steps.push({ phase: 'infrastructure', action: 'ensure-volumes', volumes: volumeSpecs(projectId).map((v) => v.name) });
  steps.push({ phase: 'infrastructure', action: 'ensure-network', network: network.name });

  steps.push(...statefulRemovals);
  steps.push(...startSteps(dependencyWaves(stateful), { start: 'stateful', health: 'stateful' }, replacing));

  // Leftovers of the target colour: from an earlier failed deploy, a CLI run, or a retire that was
  // interrupted. Never the live colour: the target is by construction the other one. A leftover
  // that still answers to a shared name may still carry traffic (an interrupted retire, or the
  // CLI's failed colour), so it gets the same graceful stop as a retire; the others go at once.
  const known = new Map(Object.values(active.colors[targetColor].containers).map((c) => [c.name, c]));
  for (const name of await colorContainerNames(docker, projectId, targetColor, known.keys())) {
    const details = known.get(name) ?? (await docker.inspectContainer(name));
    const aliases = details?.networks[network.name]?.aliases ?? [];
    const shared = details?.running && ROTATABLE_SERVICES.some((svc) => aliases.includes(svc));
    steps.push({
      phase: 'cleanup-target',
      action: 'remove',
      container: name,
      reason: `leftover of ${targetColor}`,
      stopGraceSeconds: shared ? settings.drainTimeoutSeconds : null,
    });
  }

  steps.push(...startSteps(dependencyWaves(target), { start: 'start', health: 'health' }));

  for (const spec of target) {
    steps.push({
      phase: 'switch',
      action: 'switch',
      container: spec.name,
      network: network.name,
      aliases: liveAliases(spec.service as RotatableService, targetColor),
    });
  }
  const liveVersion = active.color ? versionOf(active.colors[active.color].containers.platform) : null;
  steps.push({
    phase: 'switch',
    action: 'write-state',
    color: targetColor,
    previousVersion: liveVersion !== null && liveVersion !== release.version ? liveVersion : null,
  });

  if (active.color) {
    const old = active.colors[active.color].containers;
    for (const service of RETIRE_ORDER) {
      const details = old[service];
      if (!details) continue;
      steps.push({
        phase: 'retire',
        group: service === 'platform' ? 'retire-entry' : 'retire-backends',
        action: 'retire',
        container: details.name,
        graceSeconds: settings.drainTimeoutSeconds,
      });
    }
  }

  return {
    kind,
    projectId,
    version: release.version,
    digests: release.digests,
    activeColor: active.color,
    activeSource: active.source,
    targetColor,
    liveVersion,
    specs,
    targetContainers: target.map((s) => s.name),
    steps,
    warnings,
    settings,
    proxyRestart: replacing.size > 0,
  };
}

/** The exact ordered plan of a deploy; reads Docker, the registry and the project, changes nothing. */
export function planDeploy(ports: EnginePorts, options: PlanOptions = {}): Promise<DeployPlan> {
  if (options.services !== undefined) return buildUpdatePlan(ports, { ...options, services: options.services });
  return buildPlan(ports, 'deploy', options);
}

/** A rollback: the previous (or a chosen) version onto the other colour; stateful services untouched. */
export function planRollback(ports: EnginePorts, options: Omit<PlanOptions, 'all' | 'services'> = {}): Promise<DeployPlan> {
  return buildPlan(ports, 'rollback', options);
}
