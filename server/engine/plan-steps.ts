import { isVersionTag, normalizeVersion, VERSION_TAG_MESSAGE } from '@/lib/version-tag';
import type { ContainerSpec, RotatableService, ServiceName } from '@/server/stack/types';
import { EngineError } from './engine-error';
import type { DeployStep, PlanOptions } from './plan-types';
import type { EnginePorts, StepName } from './ports';

// Building blocks shared by the deploy, rollback and in-place update plans.

// Retire the entry point first so the proxy's pool re-dials while rag and crawler still serve it.
export const RETIRE_ORDER: readonly RotatableService[] = ['platform', 'rag', 'crawler'];

/** Groups specs into waves: each wave depends only on earlier waves (rag and crawler before platform). */
export function dependencyWaves(specs: ContainerSpec[]): ContainerSpec[][] {
  const inSet = new Set(specs.map((s) => s.service));
  const placed = new Set<ServiceName>();
  const waves: ContainerSpec[][] = [];
  let rest = specs;
  while (rest.length > 0) {
    const wave = rest.filter((s) => s.dependsOn.every((d) => !inSet.has(d.service) || placed.has(d.service)));
    if (wave.length === 0) throw new Error(`Dependency cycle among ${rest.map((s) => s.service).join(', ')}`);
    wave.forEach((s) => placed.add(s.service));
    waves.push(wave);
    rest = rest.filter((s) => !wave.includes(s));
  }
  return waves;
}

/** An old container's name while it drains or waits to be removed, so its replacement can take the real one. */
export const RETIRING_SUFFIX = '-retiring';

/**
 * Create, start and health-gate steps, wave by wave. `replacing` names running containers that
 * hold published ports (the proxy), with their stop grace: two containers cannot bind one host
 * port, so the old one must stop before the new one starts, and everything else is done first to
 * keep that gap as short as Docker allows. The old one is renamed aside while it still serves
 * (the published port does not care about names), the new one is created under the real name,
 * and only then come the stop of the old and the start of the new, back to back. The stopped
 * old one is removed after the gate: its removal is outside the gap.
 */
export function startSteps(
  waves: ContainerSpec[][],
  phases: { start: StepName; health: StepName },
  replacing: ReadonlyMap<string, number> = new Map(),
): DeployStep[] {
  const steps: DeployStep[] = [];
  for (const wave of waves) {
    for (const spec of wave) {
      const grace = replacing.get(spec.name);
      const retiring = `${spec.name}${RETIRING_SUFFIX}`;
      if (grace !== undefined) steps.push({ phase: phases.start, action: 'rename', container: spec.name, to: retiring });
      steps.push({
        phase: phases.start,
        action: 'create',
        container: spec.name,
        image: spec.image,
        network: spec.network.network,
        aliases: spec.network.aliases,
      });
      if (grace !== undefined) steps.push({ phase: phases.start, action: 'stop', container: retiring, graceSeconds: grace });
      steps.push({ phase: phases.start, action: 'start', container: spec.name });
    }
    steps.push({ phase: phases.health, action: 'wait-healthy', containers: wave.map((s) => s.name) });
    for (const spec of wave) {
      if (!replacing.has(spec.name)) continue;
      steps.push({ phase: phases.health, action: 'remove', container: `${spec.name}${RETIRING_SUFFIX}`, reason: 'replaced', stopGraceSeconds: null });
    }
  }
  return steps;
}

/**
 * The old container of an interrupted replacement (startSteps), still under its aside name: it
 * goes before anything else of its service, gracefully if it still serves (holding the ports).
 */
export async function retiringLeftover(ports: EnginePorts, spec: ContainerSpec): Promise<DeployStep[]> {
  const name = `${spec.name}${RETIRING_SUFFIX}`;
  const leftover = await ports.docker.inspectContainer(name);
  if (!leftover) return [];
  return [{ phase: 'stateful', action: 'remove', container: name, reason: 'leftover of an interrupted replacement', stopGraceSeconds: leftover.running ? spec.stopGracePeriodSeconds : null }];
}

export async function resolveRelease(ports: EnginePorts, registry: string, options: PlanOptions): Promise<{ version: string; digests: Record<ServiceName, string> }> {
  const { events } = ports;
  let version = options.version === undefined ? undefined : normalizeVersion(options.version);
  if (version !== undefined && !isVersionTag(version)) throw new EngineError('INVALID_VERSION', VERSION_TAG_MESSAGE);
  if (version !== undefined && options.digests) return { version, digests: options.digests };
  events.emit({ step: 'resolve', status: 'started', data: { registry, version: version ?? null } });
  if (version === undefined) {
    version = (await ports.registry.listVersions(registry))[0];
    if (!version) throw new EngineError('NO_VERSION_AVAILABLE', `No released version found in ${registry}`);
  }
  const resolved = await ports.registry.resolveVersion(registry, version);
  events.emit({ step: 'resolve', status: 'succeeded', data: { version: resolved.version, digests: resolved.digests } });
  return resolved;
}

