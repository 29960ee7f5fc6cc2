import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

// CREATE ROLE … PASSWORD takes no bind parameter, so the password would travel as literal SQL text
// and could land in the server's statement log. Sending a SCRAM-SHA-256 verifier instead (what the
// server would store anyway) keeps the plaintext on this side.

export const SCRAM_ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  // PostgreSQL SASLprep-normalises the password; NFKC is the part of it that matters for our passwords.
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** 32 URL-safe characters (192 bits): nothing to escape in a URL, a `.env` line or SQL. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
