import { z } from 'zod';

/** The body of API calls that take no parameters: nothing, `{}`, and no unknown keys. */
export const emptyBodySchema = z.strictObject({});

/** How many registry versions the API checks for availability (six manifests each). */
export const versionsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(20) });
