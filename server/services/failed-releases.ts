import 'server-only';
import type { FailedHereDto } from '@/lib/dto/versions';
import type { HealthFailureCode } from '../engine/engine-error';
import type { Db } from '../db/client';
import { eventsAfter, listOperations } from '../operations/operation-store';

// Releases that failed their health gate on this host, read from the operations history: the
// overview never offers one as the one-click upgrade, the deploy dialog and the API mark it with
// the failed operation, and deploying it again needs `retryFailedRelease`. A later success of the
// same version clears the mark.

const HEALTH_FAILURES: ReadonlySet<string> = new Set<HealthFailureCode>(['CONTAINER_EXITED', 'CONTAINER_RESTARTED', 'CONTAINER_UNHEALTHY', 'HEALTH_CHECK_TIMEOUT', 'CONTAINER_MISSING']);
/** Kinds whose success shows a version runs healthy here. */
const RUNS_A_VERSION = new Set(['deploy', 'rollback', 'update', 'promote']);
/** Kinds whose health-gate failure marks the version: a promotion is a deploy of recorded digests (docs/environments.md#promotion). */
const DEPLOYS_A_VERSION = new Set(['deploy', 'promote']);
/** How far back the history is read: older failures have long been retried or forgotten. */
const HISTORY_DEPTH = 200;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The version a failed deploy tried: its params, or (the newest at the time) its plan event. */
function triedVersion(db: Db, id: string, params: Record<string, unknown>): string | null {
  const asked = str(params.version);
  if (asked) return asked;
  const plan = eventsAfter(db, id, 0).find((e) => e.step === 'plan' && e.status === 'succeeded');
  return plan?.data ? str((JSON.parse(plan.data) as Record<string, unknown>).version) : null;
}

/** Version → the latest deploy that failed its health gate with it, unless it succeeded since. */
export function failedReleases(db: Db, environmentId: string): Map<string, FailedHereDto> {
  const marks = new Map<string, FailedHereDto>();
  // Oldest first, so a success after a failure clears it and a failure after a success sets it.
  for (const op of listOperations(db, environmentId, HISTORY_DEPTH).reverse()) {
    const params = JSON.parse(op.params) as Record<string, unknown>;
    if (DEPLOYS_A_VERSION.has(op.kind) && op.status === 'failed' && op.errorCode && HEALTH_FAILURES.has(op.errorCode)) {
      const version = triedVersion(db, op.id, params);
      if (version) marks.set(version, { operationId: op.id, at: (op.finishedAt ?? op.createdAt).toISOString(), code: op.errorCode, message: op.errorMessage ?? '' });
    } else if (RUNS_A_VERSION.has(op.kind) && op.status === 'succeeded') {
      const version = op.result ? str((JSON.parse(op.result) as Record<string, unknown>).version) : null;
      if (version) marks.delete(version);
    }
  }
  return marks;
}
