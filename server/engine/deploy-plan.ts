import { colorSpecs, isExternalDatabase, networkSpec, registryOf, statefulSpecs, volumeSpecs, type StackInput } from '@/server/stack/generate-stack';
import { CATALOG } from '@/server/stack/service-catalog';
import { containerName, liveAliases, nextColor, volumeName } from '@/server/stack/stack-names';
import type { ContainerSpec, RotatableService } from '@/server/stack/types';
import { ROTATABLE_SERVICES } from '@/server/stack/types';
import { colorContainerNames, detectActiveColor, versionOf } from './active-color';
import { databaseUseOf, describeDatabase, sameDatabase } from './database-use';
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
  // never touches them (the CLI's rollback does not either; convex keeps its newer schema), except
  // that it starts a stopped bundled db the files use again: its colour cannot run without it. A
  // running proxy is recreated only when its configuration changed, and then with the shortest
  // gap Docker allows (startSteps): while it is replaced, nothing reaches the site. A running
  // convex is recreated when the files moved it to another database: until then it keeps the one
  // it was started with, and the bundled db could never be stopped under it.
  const external = isExternalDatabase(input);
  const stateful: ContainerSpec[] = [];
  const statefulRemovals: DeployStep[] = [];
  const replacing = new Map<string, number>();
  /** A running convex that stays on the bundled db (or may): the db must then keep running. */
  let convexOnBundled = false;
  for (const spec of statefulSpecs(input)) {
    if (kind === 'rollback' && spec.service !== 'db') continue;
    if (kind !== 'deploy' && kind !== 'rollback') continue;
    const existing = await docker.inspectContainer(spec.name);
    const running = existing?.running === true;
    const was = spec.service === 'convex' && existing?.env ? databaseUseOf('convex', existing.env) : null;
    const will = spec.service === 'convex' ? databaseUseOf('convex', spec.env) : null;
    const databaseMoves = running && was !== null && will !== null && !sameDatabase(was, will);
    // A settings apply also looks at a running proxy: recreated below only when its hash changed.
    const proxyApplied = options.proxy === true && spec.service === 'proxy';
    if (running && !options.all && !databaseMoves && !proxyApplied) {
      // A convex whose database cannot be read may be on the bundled db: it keeps it running.
      if (spec.service === 'convex' && was?.kind !== 'external') convexOnBundled = true;
      continue;
    }
    if (spec.service === 'proxy') {
      statefulRemovals.push(...(await retiringLeftover(ports, spec)));
      if (running && proxyUnchanged(existing!, spec)) {
        warnings.push(PROXY_UNCHANGED);
        continue;
      }
    }
    stateful.push(spec);
    if (spec.service === 'proxy' && running) {
      replacing.set(spec.name, spec.stopGracePeriodSeconds);
      continue;
    }
    if (databaseMoves && will) {
      warnings.push(`convex is recreated to use the ${describeDatabase(will)} database: Convex is unavailable while it restarts.`);
    }
    if (existing) {
      statefulRemovals.push({
        phase: 'stateful',
        action: 'remove',
        container: spec.name,
        reason: !running ? 'not running' : databaseMoves && will ? `its database moves to ${describeDatabase(will)}` : 'recreate (all)',
        stopGraceSeconds: running ? spec.stopGracePeriodSeconds : null,
      });
    }
  }
  const target = colorSpecs(input, targetColor, 'candidate');
  for (const spec of [...stateful, ...target]) specs[spec.name] = spec;

  const images = [...new Set([...stateful, ...target].map((s) => s.image))];
  for (const image of images) steps.push({ phase: 'pull', group: 'pull', action: 'pull', image });
  // With an external database the bundled db's volumes are not created (an admin may have removed
  // them on purpose); existing ones are left alone.
  const dbVolumes = new Set(CATALOG.db.mounts.map((m) => volumeName(projectId, m.volume)));
  const volumes = volumeSpecs(projectId).map((v) => v.name).filter((v) => !(external && dbVolumes.has(v)));
  steps.push({ phase: 'infrastructure', action: 'ensure-volumes', volumes });
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

  // The bundled db goes only now: the new colour passed its gate on the external database and the
  // old one, which used the bundled db, is retired. A deploy that fails before this point leaves
  // the old colour running on the db it had. Stopped, not removed: its volume keeps the data, a
  // deploy on the bundled db again starts it, and only an admin removes it (bundled-database.ts).
  if (kind === 'deploy' && external && !convexOnBundled) {
    const db = await docker.inspectContainer(containerName(projectId, 'db', null));
    if (db?.running) {
      steps.push({
        phase: 'retire',
        action: 'stop-database',
        container: db.name,
        volume: volumeName(projectId, 'db-data'),
        graceSeconds: CATALOG.db.stopGracePeriodSeconds,
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
