import type { z } from 'zod';

/** Flattens zod issues to `{ field: [messages] }` for forms. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  // A Map: an issue's path may be a key the user sent (`constructor`, `__proto__`), which a plain
  // object would resolve to an inherited member.
  const out = new Map<string, string[]>();
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    out.set(key, [...(out.get(key) ?? []), issue.message]);
  }
  return Object.fromEntries(out);
}
