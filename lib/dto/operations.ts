import type { PreflightDto } from './preflight';
import type { FailedHereDto } from './versions';

export type OperationKind = 'deploy' | 'rollback' | 'cleanup' | 'dry-run' | 'update' | 'reset' | 'reconcile' | 'database-copy' | 'backup' | 'restore' | 'drill' | 'retention' | 'repository-check' | 'apply-settings' | 'pre-pull' | 'prune-images' | 'promote';
export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export type OperationEventDto = {
  seq: number;
  at: string;
  step: string;
  status: string;
  data: Record<string, unknown> | null;
  /** The event as a sentence a person reads (lib/operation-text.ts); step, status and data are the contract. */
  text: string;
};

export type OperationDto = {
  id: string;
  /** The environment it ran on ('local' or an environment's id). */
  environmentId: string;
  kind: OperationKind;
  status: OperationStatus;
  params: Record<string, unknown>;
  /** What it was for, e.g. "Upgrade 1.0.0 → 1.1.0" or "Apply settings: TLS_MODE" (lib/operation-purpose.ts). */
  purpose: string;
  actor: string | null;
  createdAt: string;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  result: Record<string, unknown> | null;
};

export type ContainerStatusDto = {
  service: string;
  color: 'blue' | 'green' | null;
  name: string;
  status: string;
  health: string | null;
  version: string | null;
  digest: string | null;
  startedAt: string | null;
  restartCount: number | null;
  active: boolean;
};

export type StackStatusDto = {
  initialised: boolean;
  activeColor: 'blue' | 'green' | null;
  activeVersion: string | null;
  previousVersion: string | null;
  containers: ContainerStatusDto[];
  warnings: string[];
  running: OperationDto | null;
  engine: { reachable: boolean; version?: string; message?: string };
};

/** A plan as the deploy dialog shows it before confirming; nothing has changed yet. */
export type PlanPreviewDto = {
  kind: 'deploy' | 'update' | 'rollback';
  version: string;
  liveVersion: string | null;
  activeColor: 'blue' | 'green' | null;
  targetColor: 'blue' | 'green';
  steps: string[];
  warnings: string[];
  /** Older than the live version (or a rollback): the schema-compatibility warning applies. */
  downgrade: boolean;
  /** The plan replaces the running proxy: the site is unreachable for about this many seconds. Null when it does not. */
  proxyRestartSeconds: number | null;
  /** A deploy of this version failed its health gate here: starting it needs `retryFailedRelease`. */
  failedHere: FailedHereDto | null;
  /** The backup gate before this plan (docs/backups.md#the-backup-gate). */
  backup: BackupGateDto;
  /** The preflight before this plan (docs/preflight.md); null where it does not apply (Apply now). A failing check needs `overridePreflight`. */
  preflight: PreflightDto | null;
};

export type BackupGateDto = {
  /** The version changes (or it is a rollback): a backup is taken first unless skipped with a reason. */
  required: boolean;
  /** none: no backup was ever taken, so the start is refused unless the backup is skipped. */
  repository: 'ready' | 'none';
  /** The newest backup's size and duration, for the estimate; null when there is none or the repository cannot be read. */
  last: { bytes: number; durationMs: number } | null;
};
