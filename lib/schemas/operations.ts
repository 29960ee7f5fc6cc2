import { z } from 'zod';
import { VERSION_TAG, VERSION_TAG_MESSAGE } from '@/lib/version-tag';

const version = z.string().regex(VERSION_TAG, VERSION_TAG_MESSAGE);

/**
 * A version older than the live one is deployed only with `allowDowngrade` (the dialog's "I
 * understand" box): Convex data and indexes are not rolled back. A dry run needs no flag.
 */
const allowDowngrade = z
  .boolean()
  .default(false)
  .describe('Confirms a version older than the live one (Convex data and indexes are not rolled back); without it such a start is refused with 400 DOWNGRADE_NOT_CONFIRMED');

/**
 * The backup gate (docs/backups.md#the-backup-gate): a deploy, update or rollback that changes the
 * live version first takes a backup, unless skipped for this one operation with a typed reason,
 * which is recorded in the audit trail and the timeline.
 */
export const skipBackupSchema = z
  .strictObject({
    reason: z.string().trim().min(10, 'Say in at least 10 characters why this upgrade goes without a backup').max(500),
  })
  .describe('Skips the pre-upgrade backup for this operation only; the reason is audited and shown in its timeline');

/**
 * The preflight (docs/preflight.md): a deploy, update or rollback with a failing check starts only
 * overridden with a typed reason, recorded in the audit trail and the timeline.
 */
export const overridePreflightSchema = z
  .strictObject({
    reason: z.string().trim().min(10, 'Say in at least 10 characters why this goes ahead despite the failing preflight').max(500),
  })
  .describe('Starts despite failing preflight checks (GET /api/v1/preflight); the reason and the failing checks are audited and shown in its timeline');

/**
 * A release whose deploy failed its health gate on this host is deployed again only on purpose
 * (the dialog's "retry this release" box). A dry run needs no flag.
 */
const retryFailedRelease = z
  .boolean()
  .default(false)
  .describe('Confirms deploying a release whose deploy already failed its health gate on this host (see failedHere in GET /api/v1/versions); without it such a start is refused with 400 FAILED_RELEASE_NOT_CONFIRMED');

export const deployInputSchema = z.strictObject({
  version: version.optional(),
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  allowDowngrade,
  skipBackup: skipBackupSchema.optional(),
  retryFailedRelease,
  overridePreflight: overridePreflightSchema.optional(),
});

export const rollbackInputSchema = z.strictObject({ version: version.optional(), skipBackup: skipBackupSchema.optional(), overridePreflight: overridePreflightSchema.optional() });

export const operationIdSchema = z.string().uuid('Unknown operation');

/** The six services of a Tale stack, as `deploy --services` names them. */
export const STACK_SERVICES = ['db', 'proxy', 'convex', 'platform', 'rag', 'crawler'] as const;

/** In-place update of named services in the live colour (the CLI's `deploy --services`). */
export const updateInputSchema = z.strictObject({
  services: z.array(z.enum(STACK_SERVICES)).min(1, 'Name at least one service').max(STACK_SERVICES.length),
  version: version.optional(),
  dryRun: z.boolean().default(false),
  allowDowngrade,
  skipBackup: skipBackupSchema.optional(),
  overridePreflight: overridePreflightSchema.optional(),
});

/** The project id typed by hand: the server compares it with tale.json's before anything is removed. */
const typedProjectId = z.string().trim().min(1, 'Type the project id to confirm').max(64);

export const resetInputSchema = z
  .strictObject({
    projectId: typedProjectId,
    all: z.boolean().default(false),
    volumes: z.boolean().default(false),
  })
  .refine((r) => !r.volumes || r.all, { message: 'Removing volumes needs "all" as well', path: ['volumes'] });

export const cleanupInputSchema = z.strictObject({ projectId: typedProjectId.optional() });

/** What the deploy dialog asks the server to plan (read-only) before the user confirms. */
export const previewInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('deploy'), version: version.optional(), all: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal('update'), version: version.optional(), services: updateInputSchema.shape.services }),
  z.strictObject({ kind: z.literal('rollback'), version: version.optional() }),
]);

export const HISTORY_KINDS = ['deploy', 'update', 'rollback', 'cleanup', 'reset', 'reconcile', 'database-copy', 'backup', 'restore', 'drill', 'retention', 'repository-check', 'apply-settings', 'prune-images', 'dry-run', 'pre-pull', 'promote'] as const;
export const HISTORY_OUTCOMES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

/** The history's filters and the release preselected by "deploy this release again", from the URL. */
export const historyFilterSchema = z.object({
  kind: z.enum(HISTORY_KINDS).optional().catch(undefined),
  outcome: z.enum(HISTORY_OUTCOMES).optional().catch(undefined),
  version: version.optional().catch(undefined),
});

export function historyFilterFromSearch(params: Record<string, string | string[] | undefined>) {
  const one = (v: string | string[] | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
  return historyFilterSchema.parse({ kind: one(params.kind), outcome: one(params.outcome), version: one(params.version) });
}
