import { secretValuesOf } from '@/lib/settings/env-catalog';

// Secret values from the project's .env must never reach events, logs or error messages. The
// engine's events carry container log lines and error texts, which may echo them back. Which values
// are secret is the key catalogue's rule (env-catalog.ts), the same the settings page and the audit
// trail use, so a database URL's password is scrubbed wherever it appears.

/**
 * Shorter secrets are left alone: a value of 1-3 characters turns up by chance in almost every
 * line (timestamps, ids, words), so scrubbing it would blank out the events while protecting
 * nothing (such a secret falls to a few thousand guesses). The secrets the console generates or
 * validates are 12 characters and more.
 */
export const MIN_SCRUBBED_LENGTH = 4;

/**
 * Every text to scrub for the secrets of an .env: each secret as written, URL-encoded (a link or
 * a driver's URL) and JSON-escaped (events are scrubbed as JSON text), longest first, so a secret
 * that contains another is replaced whole.
 */
export function secretValues(env: Record<string, string>): string[] {
  return scrubForms(secretValuesOf(env));
}

/** The same forms for secrets that are not in the .env (a password a job holds in memory). */
export function scrubForms(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUBBED_LENGTH) continue;
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) out.add(form);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}
