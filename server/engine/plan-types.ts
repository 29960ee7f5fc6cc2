import type { Color, ContainerSpec, ServiceName } from '@/server/stack/types';
import type { ActiveColor } from './active-color';
import type { EngineSettings } from './engine-settings';
import type { StepName } from './ports';

// The shapes of the engine's plans, and nothing else: the planners build them, the executors run
// them, a dry run shows them. Keeping them apart from the code lets every planner and executor
// import them without importing one another.

type Step<Fields> = { phase: StepName; group?: string } & Fields;

/** Stops (gracefully when `stopGraceSeconds` is set) and removes a container: both executors run it. */
export type RemoveStep = Step<{ action: 'remove'; container: string; reason: string; stopGraceSeconds: number | null }>;

/**
 * A step of a deploy, rollback or in-place update, run by `executePlan`. Steps sharing a `group`
 * run concurrently.
 */
export type DeployStep =
  | Step<{ action: 'pull'; image: string }>
  | Step<{ action: 'ensure-network'; network: string }>
  | Step<{ action: 'ensure-volumes'; volumes: string[] }>
  | RemoveStep
  | Step<{ action: 'create'; container: string; image: string; network: string; aliases: string[] }>
  | Step<{ action: 'start'; container: string }>
  /** Stops without removing: the stopped container frees its published ports for its replacement. */
  | Step<{ action: 'stop'; container: string; graceSeconds: number }>
  | Step<{ action: 'wait-healthy'; containers: string[] }>
  | Step<{ action: 'switch'; container: string; network: string; aliases: string[] }>
  | Step<{ action: 'write-state'; color: Color; previousVersion: string | null }>
  | Step<{ action: 'retire'; container: string; graceSeconds: number }>
  | Step<{ action: 'rename'; container: string; to: string }>
  /**
   * Stops the bundled db once nothing uses it any more (the files chose an external database and
   * the new colour is live); the container and its volume stay, so going back starts it again.
   */
  | Step<{ action: 'stop-database'; container: string; volume: string; graceSeconds: number }>;

/** A step of a reset, run by `reset`, in order. */
export type ResetStep =
  | RemoveStep
  | Step<{ action: 'clear-state' }>
  | Step<{ action: 'remove-volumes'; volumes: string[] }>
  | Step<{ action: 'remove-network'; network: string }>;

/** Any step a dry run can show. */
export type PlanStep = DeployStep | ResetStep;

/**
 * One change per step, in execution order. The dry run shows exactly these; `executePlan` performs
 * exactly these, so what an operator previews is what runs.
 */
export interface DeployPlan {
  /** `update`: named services recreated in place in the live colour (no colour switch). */
  kind: 'deploy' | 'rollback' | 'update';
  projectId: string;
  version: string;
  digests: Record<ServiceName, string>;
  activeColor: Color | null;
  activeSource: ActiveColor['source'];
  targetColor: Color;
  /** What the live colour runs; recorded as the previous version only after the switch. */
  liveVersion: string | null;
  /** Container specs by name, for the create steps. */
  specs: Record<string, ContainerSpec>;
  /** Names of the target colour's containers the plan creates (removed again on failure). */
  targetContainers: string[];
  steps: DeployStep[];
  warnings: string[];
  settings: EngineSettings;
  /** The running proxy is stopped and replaced: the whole site is unreachable for a moment. */
  proxyRestart: boolean;
}

export interface PlanOptions {
  /** Default: the newest version in the registry. */
  version?: string;
  /** Also (re)create db, proxy and convex, like `tale deploy --all`. */
  all?: boolean;
  /**
   * Also recreate a running proxy when its configuration hash changed (a settings apply: TLS,
   * BASE_PATH, published ports), before the colours; db and convex are left alone.
   */
  proxy?: boolean;
  /** Re-apply known digests instead of asking the registry (a recorded release). */
  digests?: Record<ServiceName, string>;
  settings?: Partial<EngineSettings>;
  /**
   * In-place update of just these services (the CLI's `--services`): the live colour's listed
   * services and the listed stateful ones are recreated, nothing else is touched; `all` is ignored.
   */
  services?: ServiceName[];
}

export interface ResetPlan {
  kind: 'reset';
  projectId: string;
  all: boolean;
  volumes: boolean;
  /** Shown by a dry run exactly as `reset` performs them. */
  steps: ResetStep[];
  warnings: string[];
}
