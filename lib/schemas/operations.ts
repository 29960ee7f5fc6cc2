import { z } from 'zod';

const version = z.string().regex(/^v?\d{1,9}\.\d{1,9}\.\d{1,9}(-[0-9A-Za-z.-]{1,64})?$/, 'Not a version tag such as 1.2.3');

export const deployInputSchema = z.strictObject({
  version: version.optional(),
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export const rollbackInputSchema = z.strictObject({ version: version.optional() });

export const operationIdSchema = z.string().uuid('Unknown operation');

/** The six services of a Tale stack, as `deploy --services` names them. */
export const STACK_SERVICES = ['db', 'proxy', 'convex', 'platform', 'rag', 'crawler'] as const;

/** In-place update of named services in the live colour (the CLI's `deploy --services`). */
export const updateInputSchema = z.strictObject({
  services: z.array(z.enum(STACK_SERVICES)).min(1, 'Name at least one service').max(STACK_SERVICES.length),
  version: version.optional(),
  dryRun: z.boolean().default(false),
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
