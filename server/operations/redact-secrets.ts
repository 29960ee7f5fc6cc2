// Secret values from the project's .env must never reach events, logs or error messages. The
// engine's events carry container log lines and error texts, which may echo them back.

const SECRET_KEY = /SECRET|PASSWORD|TOKEN|KEY|_HEX$/i;

export function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_KEY.test(k) && v.length >= 6)
    .map(([, v]) => v)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}
