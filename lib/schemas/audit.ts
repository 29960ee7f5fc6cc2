import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'Use YYYY-MM-DD');

export const auditFilterSchema = z.strictObject({
  action: z.string().regex(/^[a-z_.]{1,60}$/, 'Unknown action').optional(),
  actor: z.string().max(254).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: day.optional(),
  to: day.optional(),
  format: z.enum(['csv', 'json']).optional(),
});

export type AuditFilterInput = z.output<typeof auditFilterSchema>;

export function auditFilterFromSearch(params: Record<string, string | string[] | undefined> | URLSearchParams) {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  return auditFilterSchema.safeParse(Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')));
}
