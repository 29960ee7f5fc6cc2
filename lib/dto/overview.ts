import type { DatabaseInUseDto } from './external-database';
import type { StackStatusDto } from './operations';
import type { PrePullStatusDto } from './pre-pull';
import type { FailedHereDto } from './versions';

export type OverviewDto = {
  deployDir: string;
  initialised: boolean;
};

export type ContainerStatsDto = { cpuPercent: number | null; memoryBytes: number | null; memoryLimitBytes: number | null };

/** The registry as the overview sees it: reachable with the newest version above the live one, or why not. */
export type RegistryStatusDto =
  /**
   * `newer`: the one-click upgrade, never a release that failed here; `failedHere`: newer releases
   * passed over because their deploy failed its health gate on this host.
   */
  | { reachable: true; newest: string | null; newer: string | null; failedHere: Array<FailedHereDto & { version: string }> }
  | { reachable: false; message: string };

/**
 * What the overview polls: the stack, the registry, and the resource use (by container name)
 * already known from a recent stats poll. `checkedAt` is the server's clock when it looked: the
 * uptimes are counted to it, so the server's render and the browser's agree.
 */
export type LiveOverviewDto = {
  status: StackStatusDto;
  stats: Record<string, ContainerStatsDto>;
  registry: RegistryStatusDto;
  /** Which database the running services use and what the next deploy changes; null when it cannot be read. */
  database: DatabaseInUseDto | null;
  /** The background pre-pull of the next release; null when it cannot be read. */
  prePull: PrePullStatusDto | null;
  checkedAt: string;
};

/** Fresh resource use of the running containers, by name (polled apart: Docker takes a second or two). */
export type ContainerStatsListDto = { stats: Record<string, ContainerStatsDto>; checkedAt: string };

export type ReleaseDto = {
  version: string;
  /** False when one of the six images lacks this tag (a release still building, or a partial push). */
  available: boolean;
  missing: string | null;
  current: boolean;
  previous: boolean;
  /** A deploy of it failed its health gate here: the dialog marks it and asks for a deliberate retry. */
  failedHere: FailedHereDto | null;
};

/** Shown once to the admin who asked; never stored. */
export type ConvexAdminKeyDto = { key: string; dashboardUrl: string; deploymentUrl: string };
