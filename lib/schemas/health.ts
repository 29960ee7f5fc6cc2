import { z } from 'zod';

export const HEALTH_RANGES = ['1h', '24h', '7d', '30d'] as const;

/** GET /api/v1/health/history's query: the range of the CPU and memory charts and the incident list. */
export const healthHistoryQuerySchema = z.strictObject({ range: z.enum(HEALTH_RANGES).default('24h') });

/** Reads a URL's search parameters into the schema's input, ignoring empty values. */
export function healthHistoryQueryFromSearch(params: URLSearchParams) {
  return healthHistoryQuerySchema.safeParse(Object.fromEntries([...params.entries()].filter(([, v]) => v !== '')));
}
