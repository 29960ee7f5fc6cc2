import { REQUIRED_ENV_KEYS, envKeyInfo, envValueSchemaOf } from './env-catalog';
import { envKeySchema, publicUrlIssue, safeEnvValueSchema } from './env-values';

/** Required keys that are absent or empty, in the CLI's order. */
export function missingRequiredEnvKeys(values: Record<string, string>): string[] {
  return REQUIRED_ENV_KEYS.filter((key) => !values[key]?.trim());
}

export type EnvValidation =
  | { ok: true; values: Record<string, string> }
  | { ok: false; fieldErrors: Record<string, string> };

/**
 * Validates a set of edits against the values already in the file. `null` deletes a key.
 * Returns the normalised values to write, or one message per refused field.
 */
export function validateEnvEdits(
  edits: Record<string, string | null>,
  current: Record<string, string>,
): EnvValidation {
  // Maps, and own-property checks on the inputs: keys come from the user, and a plain object's
  // `fieldErrors[key] = …` or `key in edits` misbehaves for `__proto__`, `constructor` and friends.
  const fieldErrors = new Map<string, string>();
  const values = new Map<string, string>();
  const edited = (key: string) => Object.hasOwn(edits, key);
  const required = (key: string) => envKeyInfo(key)?.required === true;

  for (const [key, raw] of Object.entries(edits)) {
    const keyCheck = envKeySchema.safeParse(key);
    if (!keyCheck.success) {
      fieldErrors.set(key, keyCheck.error.issues[0]?.message ?? 'Invalid key');
      continue;
    }
    if (raw === null) {
      if (required(key)) fieldErrors.set(key, 'Is required and cannot be removed');
      continue;
    }
    const safe = safeEnvValueSchema.safeParse(raw);
    if (!safe.success) {
      fieldErrors.set(key, safe.error.issues[0]?.message ?? 'Invalid value');
      continue;
    }
    if (required(key) && raw.trim() === '') {
      fieldErrors.set(key, 'Is required');
      continue;
    }
    const schema = envValueSchemaOf(key);
    // Optional keys may be set to empty, which the services read as "unset".
    if (!schema || raw === '') {
      values.set(key, raw);
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      fieldErrors.set(key, parsed.error.issues[0]?.message ?? 'Invalid value');
      continue;
    }
    values.set(key, parsed.data);
  }

  // Cross-field: the URL rules depend on TLS_MODE, so re-check whenever any of them changes.
  if (['SITE_URL', 'DOCS_URL', 'TLS_MODE'].some(edited)) {
    const tlsMode = edited('TLS_MODE') ? values.get('TLS_MODE') : current.TLS_MODE;
    for (const key of ['SITE_URL', 'DOCS_URL'] as const) {
      if (fieldErrors.has(key)) continue;
      const value = edited(key) ? values.get(key) : current[key];
      if (!value) continue;
      const issue = publicUrlIssue(value, tlsMode);
      if (issue) fieldErrors.set(edited(key) ? key : 'TLS_MODE', edited(key) ? issue : `${key}: ${issue}`);
    }
  }

  // Object.fromEntries defines own properties, so even a `__proto__` key stays an ordinary field.
  return fieldErrors.size > 0 ? { ok: false, fieldErrors: Object.fromEntries(fieldErrors) } : { ok: true, values: Object.fromEntries(values) };
}
