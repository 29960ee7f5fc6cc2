import { createHash } from 'node:crypto';

export type HostKey = { algorithm: string; fingerprint: string };

/**
 * The OpenSSH fingerprint of a public key blob as sent in the SSH handshake (RFC 4253 §6.6):
 * 'SHA256:' + base64 of the SHA-256 of the blob, without '=' padding, as `ssh-keygen -l` and
 * `ssh` print it, so an operator can compare it with what the host itself shows.
 */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of the blob (a uint32 length, then e.g. 'ssh-ed25519'). */
export function algorithmOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len < 1 || len > 64 || 4 + len > blob.length) return 'unknown';
  return blob.subarray(4, 4 + len).toString('latin1');
}

export function hostKeyOf(blob: Buffer): HostKey {
  return { algorithm: algorithmOf(blob), fingerprint: fingerprintOf(blob) };
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** A pinned fingerprint as stored: exactly what fingerprintOf returns for some key. */
export function isFingerprint(s: string): boolean {
  return FINGERPRINT.test(s);
}
