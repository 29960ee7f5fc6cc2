import { z } from 'zod';

export const LOG_SERVICES = ['platform', 'rag', 'crawler', 'convex', 'db', 'proxy'] as const;
export type LogService = (typeof LOG_SERVICES)[number];

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** `15m`, `2h`, `1d`, `30s`, or an ISO time such as 2026-11-26T04:00:00Z. */
export const sinceSchema = z
  .string()
  .regex(/^(\d{1,6}[smhd]|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z)$/, 'Use a duration such as 15m or 2h, or a UTC time such as 2026-11-26T04:00:00Z');

export const logQuerySchema = z.strictObject({
  service: z.enum([...LOG_SERVICES, 'all']),
  color: z.enum(['blue', 'green']).optional(),
  tail: z.coerce.number().int().min(0).max(100_000).default(500),
  since: sinceSchema.optional(),
  until: sinceSchema.optional(),
  follow: flag.default(true),
  stream: z.enum(['stdout', 'stderr', 'both']).default('both'),
  q: z.string().max(200).optional(),
});

export type LogQuery = z.output<typeof logQuerySchema>;

/** Reads a URL's search parameters into the schema's input, ignoring empty values. */
export function logQueryFromSearch(params: URLSearchParams) {
  return logQuerySchema.safeParse(Object.fromEntries([...params.entries()].filter(([, v]) => v !== '')));
}
