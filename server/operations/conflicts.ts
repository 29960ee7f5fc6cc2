import type { OperationKind } from '@/lib/dto/operations';

// Which operation kinds may run at the same time. Every kind lists the kinds it must not overlap
// with; the relation is symmetric (checked by the unit test), so a start is refused when the new
// kind conflicts with any running one. The store checks this inside one immediate SQLite
// transaction, so two starts cannot both pass the check.
//
// Every kind that changes the stack excludes every other: they share the deployment lock, the
// colours and the bundled db. The database copy reads the bundled db container, which a deploy,
// rollback, update, cleanup, reset or reconcile may remove or replace, and two copies would write
// the same external databases. A backup reads the db container and the volumes that those kinds
// replace or write, and two backups would take the same repository's parts apart; a restore stops
// the writers and replaces the data under everything, so it excludes every kind, even a dry run
// (whose plan would describe containers the restore is about to stop and start). A dry run
// otherwise only plans, so it overlaps with anything else.

// A restore drill (drill) touches no live container: it reads the repository and restores into a
// throwaway PostgreSQL of its own, so it overlaps with deploys and even with a backup (both only
// read the repository under restic's shared lock). One drill at a time (two would double the load
// on a small host for nothing), and never during a restore, which replaces the data the drill is
// about to be compared against. Retention (`restic forget --prune`) and the integrity check
// (`restic check`) take restic's exclusive lock, so they exclude every kind that uses the
// repository: backup, restore, drill and each other.

// The background pre-pull (pre-pull) only pulls images: it touches no container, volume, file or
// repository, so it runs beside every kind, a restore and a reset included, and never blocks a
// deploy. A deploy that starts while it pulls the same images pulls them too (it does not find
// them yet by digest); Docker fetches each layer once for both. One pre-pull at a time.

// Removing unused images (prune-images, docs/disk.md) is one of the stack kinds: a deploy,
// rollback, update or settings apply pulls images that no container uses until it starts them,
// so a prune beside it could delete what it is about to run (Docker's refusal protects only images
// a container already uses); and it holds the stack lease like them. A drill starts a throwaway
// container from the stack's db image, so the two do not overlap either. A dry run only reads.

const STACK = ['deploy', 'rollback', 'update', 'cleanup', 'reset', 'reconcile', 'database-copy', 'backup', 'restore', 'apply-settings', 'prune-images', 'promote'] as const satisfies readonly OperationKind[];
const EXCLUSIVE_REPOSITORY = ['backup', 'restore', 'drill', 'retention', 'repository-check'] as const satisfies readonly OperationKind[];

/** `satisfies Record<OperationKind, …>`: a kind missing here fails the type check. */
export const CONFLICTS = {
  deploy: STACK,
  // A promotion is a deploy (of another environment's recorded digests) and excludes what a deploy does.
  promote: STACK,
  rollback: STACK,
  update: STACK,
  cleanup: STACK,
  reset: STACK,
  reconcile: STACK,
  'database-copy': STACK,
  backup: [...STACK, 'retention', 'repository-check'],
  restore: [...STACK, 'dry-run', 'drill', 'retention', 'repository-check'],
  'apply-settings': STACK,
  'prune-images': [...STACK, 'drill', 'pre-pull'],
  'dry-run': ['restore'],
  drill: ['drill', 'restore', 'retention', 'repository-check', 'prune-images'],
  retention: EXCLUSIVE_REPOSITORY,
  'repository-check': EXCLUSIVE_REPOSITORY,
  // A prune beside a pre-pull could remove a layer set the pull is about to tag; one waits.
  'pre-pull': ['pre-pull', 'prune-images'],
} as const satisfies Record<OperationKind, readonly OperationKind[]>;

export function conflicts(a: OperationKind, b: OperationKind): boolean {
  return (CONFLICTS[a] as readonly OperationKind[]).includes(b);
}

/** The first running kind that `kind` may not overlap with, or null when it may start. */
export function conflictingKind(kind: OperationKind, running: readonly OperationKind[]): OperationKind | null {
  return running.find((r) => conflicts(kind, r)) ?? null;
}

/**
 * Whether the kind holds the stack lease (the `mutating` column: the overview shows it as the
 * running operation, and the partial unique index keeps a second guard in the database): the
 * kinds that exclude a deploy. A drill, retention or check excludes itself but not a deploy, so
 * it must not take the one lease a deploy needs.
 */
export function holdsStackLease(kind: OperationKind): boolean {
  return conflicts(kind, 'deploy');
}

/** The one answer to a refused start (the HTTP API maps its code to 409). */
export function inProgress(running: OperationKind): { ok: false; code: 'OPERATION_IN_PROGRESS'; message: string } {
  return { ok: false, code: 'OPERATION_IN_PROGRESS', message: `Another operation is running (${running}). Wait for it to finish or cancel it.` };
}
