import { z } from 'zod';

const version = z.string().regex(/^v?\d{1,9}\.\d{1,9}\.\d{1,9}(-[0-9A-Za-z.-]{1,64})?$/, 'Not a version tag such as 1.2.3');

export const deployInputSchema = z.strictObject({
  version: version.optional(),
  all: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export const rollbackInputSchema = z.strictObject({ version: version.optional() });

export const operationIdSchema = z.string().uuid('Unknown operation');
