import { z } from 'zod';
import { STACK_SERVICES } from '@/lib/schemas/operations';
import { REGENERATABLE_KEYS } from '@/lib/settings/env-catalog';
import { domainSettingsSchema, envKeySchema } from '@/lib/settings/env-values';
import { validateEnvEdits, type EnvValidation } from '@/lib/settings/env-validation';
import { IMAGE_REF } from './image-ref';

// Input of the settings forms. The same functions run in the browser (instant field messages) and
// in the services (the decision), so what the form accepts is exactly what the server writes.

/** Longer values are refused: no Tale setting comes close, and the file is read by shell scripts. */
export const MAX_ENV_VALUE_LENGTH = 4096;
const MAX_EDITS = 200;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'Unknown file version');

// Hard transport bounds only; the per-field rules below give the messages a person can act on.
const editsSchema = z
  .record(z.string().max(256), z.union([z.string().max(1_000_000), z.null()]))
  .refine((edits) => Object.keys(edits).length > 0, 'Nothing to change')
  .refine((edits) => Object.keys(edits).length <= MAX_EDITS, `At most ${MAX_EDITS} keys per change`);

export const envChangeSchema = z.strictObject({
  edits: editsSchema,
  /** sha256 of the .env the diff was computed from; saving refuses when the file changed since. */
  baseHash: sha256Hex.optional(),
});
export type EnvChangeInput = z.infer<typeof envChangeSchema>;

export const domainChangeSchema = z.strictObject({
  HOST: z.string().max(1_000),
  SITE_URL: z.string().max(1_000),
  TLS_MODE: z.string().max(100),
  TLS_EMAIL: z.string().max(1_000).optional(),
  BASE_PATH: z.string().max(1_000).optional(),
  baseHash: sha256Hex.optional(),
});
export type DomainChangeInput = z.infer<typeof domainChangeSchema>;

export const revealSecretSchema = z.strictObject({ key: envKeySchema });
export const regenerateSecretSchema = z.strictObject({
  key: z.enum(REGENERATABLE_KEYS, { error: 'This secret cannot be regenerated here' }),
  /** The consequence was shown and accepted; the server refuses without it. */
  confirm: z.literal(true, { error: 'Confirm that you understand what regenerating breaks' }),
});

export const imageRefSchema = z
  .string()
  .trim()
  .max(512, 'Must be at most 512 characters')
  .regex(IMAGE_REF, 'Must be an image reference like ghcr.io/tale-project/tale/tale-platform:1.2.0 (no spaces or YAML)');

export const pinChangeSchema = z.strictObject({
  service: z.enum(STACK_SERVICES, { error: 'Not a Tale service' }),
  /** null unpins. */
  image: z.union([imageRefSchema, z.null()]),
  baseHash: sha256Hex.optional(),
});
export type PinChangeInput = z.infer<typeof pinChangeSchema>;

export const historyEntryIdSchema = z
  .string()
  .regex(/^(\.env|compose\.override\.ya?ml)\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/, 'Unknown version');
export const restoreSchema = z.strictObject({ id: historyEntryIdSchema });

function firstQuoteIssue(value: string): string | null {
  // A value wrapped in quotes would be read as quoting by the CLI's loose reader and as literal
  // quotes by compose: the two would disagree about the setting.
  if (/^['"]|['"]$/.test(value)) return 'Must not start or end with a quote: readers of .env would disagree about the value';
  return null;
}

/**
 * The `.env` rules of env-values plus the ones that matter for a form: size, compose's `${…}`
 * expansion and quote wrapping. Field messages never echo the value.
 */
export function validateSettingsEdits(
  edits: Record<string, string | null>,
  current: Record<string, string>,
): EnvValidation {
  const fieldErrors: Record<string, string> = {};
  for (const [key, value] of Object.entries(edits)) {
    if (value === null) continue;
    if (value.length > MAX_ENV_VALUE_LENGTH) fieldErrors[key] = `Must be at most ${MAX_ENV_VALUE_LENGTH} characters`;
    else if (value.includes('${')) fieldErrors[key] = 'Must not contain ${…}: compose would expand it to another variable';
    else {
      const quote = firstQuoteIssue(value);
      if (quote) fieldErrors[key] = quote;
    }
  }
  const base = validateEnvEdits(edits, current);
  if (!base.ok) Object.assign(fieldErrors, { ...base.fieldErrors, ...fieldErrors });
  return Object.keys(fieldErrors).length > 0 ? { ok: false, fieldErrors } : base;
}

/** The domain form as `.env` edits; empty optional fields remove their key. */
export function domainEdits(input: DomainChangeInput): Record<string, string | null> {
  return {
    HOST: input.HOST,
    SITE_URL: input.SITE_URL,
    TLS_MODE: input.TLS_MODE,
    TLS_EMAIL: input.TLS_EMAIL?.trim() ? input.TLS_EMAIL : null,
    BASE_PATH: input.BASE_PATH?.trim() ? input.BASE_PATH : null,
  };
}

/** Field messages for the domain form: the same rules as `domainSettingsSchema` and the file rules. */
export function validateDomain(input: DomainChangeInput, current: Record<string, string>): EnvValidation {
  const edits = domainEdits(input);
  const checked = validateSettingsEdits(edits, current);
  const form = domainSettingsSchema.safeParse({ ...input, TLS_EMAIL: input.TLS_EMAIL ?? '', BASE_PATH: input.BASE_PATH ?? '' });
  if (form.success && checked.ok) return checked;
  const fieldErrors: Record<string, string> = checked.ok ? {} : { ...checked.fieldErrors };
  if (!form.success) for (const issue of form.error.issues) fieldErrors[String(issue.path[0] ?? '_')] ??= issue.message;
  return { ok: false, fieldErrors };
}


/** The initialise form (like `tale init`); the email matters only for Let's Encrypt. */
export const initialiseSchema = z
  .strictObject({
    host: z.string().max(253),
    tlsMode: z.string().max(20),
    tlsEmail: z.string().max(254).optional(),
  })
  .superRefine((input, ctx) => {
    const errors = validateEnvEdits(
      { HOST: input.host, TLS_MODE: input.tlsMode, ...(input.tlsEmail ? { TLS_EMAIL: input.tlsEmail } : {}) },
      {},
    );
    if (errors.ok) return;
    const field = { HOST: 'host', TLS_MODE: 'tlsMode', TLS_EMAIL: 'tlsEmail' } as Record<string, string>;
    for (const [key, message] of Object.entries(errors.fieldErrors)) ctx.addIssue({ code: 'custom', path: [field[key] ?? key], message });
  });
export type InitialiseInput = z.infer<typeof initialiseSchema>;
