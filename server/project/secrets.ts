import { randomBytes } from 'node:crypto';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';

// Same lengths and alphabets as the CLI's generators (docs/tale-cli.md#required-keys-and-generated-secrets), so files made by either tool look alike.

/** 32 bytes, standard base64 with padding: 44 characters. */
export const generateBetterAuthSecret = (): string => randomBytes(32).toString('base64');

/** 32 bytes as lower-case hex: 64 characters (INSTANCE_SECRET must be exactly this for admin keys). */
export const generateHexSecret = (): string => randomBytes(32).toString('hex');

/** 16 bytes, base64url without padding: 22 characters, safe inside a postgresql:// URL. */
export const generateDbPassword = (): string => randomBytes(16).toString('base64url');

/** An age X25519 identity `AGE-SECRET-KEY-1…` (74 characters), from crypto.getRandomValues like the CLI. */
export const generateAgeIdentity = (): Promise<string> => generateX25519Identity();

/** The `age1…` recipient SOPS encrypts provider secrets to. */
export const agePublicKey = (identity: string): Promise<string> => identityToRecipient(identity.trim());

export const SECRET_GENERATORS = {
  BETTER_AUTH_SECRET: async () => generateBetterAuthSecret(),
  ENCRYPTION_SECRET_HEX: async () => generateHexSecret(),
  INSTANCE_SECRET: async () => generateHexSecret(),
  DB_PASSWORD: async () => generateDbPassword(),
  SOPS_AGE_KEY: generateAgeIdentity,
} as const satisfies Record<string, () => Promise<string>>;
