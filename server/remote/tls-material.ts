import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { RemoteError } from './remote-error';

/** What a TCP endpoint authenticates with (docs/environments.md#endpoints): PEM text, secrets all three in storage. */
export type TlsMaterial = { caCert: string; clientCert: string; clientKey: string };

export type TlsField = keyof TlsMaterial;

/** The CA certificate's identity, safe to show and store in the row (its public fingerprint, never a PEM). */
export type TlsSummary = { caFingerprint: string; caSubject: string; clientSubject: string; clientNotAfter: string };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A refusal naming the field and why, in our words: never node's or OpenSSL's text, which may quote the input. */
export class TlsMaterialError extends RemoteError {
  static override readonly brand: string = 'TlsMaterialError';
  constructor(
    readonly field: TlsField,
    message: string,
  ) {
    super('INVALID_CERTIFICATE', message);
  }
}

function certificates(field: TlsField, text: string, label: string): X509Certificate[] {
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new TlsMaterialError(field, `The ${label} is not a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new TlsMaterialError(field, `The ${label} does not parse as an X.509 certificate.`);
    }
  });
}

function privateKey(text: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new TlsMaterialError('clientKey', 'The client key is not a PEM private key (-----BEGIN … PRIVATE KEY-----).');
  if (/ENCRYPTED/.test(text)) throw new TlsMaterialError('clientKey', 'The client key is protected by a passphrase: give it without one (it is stored as a 0600 file).');
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new TlsMaterialError('clientKey', 'The client key does not parse as a PEM private key.');
  }
}

/**
 * Checks what an admin pasted before anything connects or is saved: the CA certificate(s) parse and
 * include a CA, the client certificate parses, is valid now, and the key is its private half.
 * Throws TlsMaterialError (INVALID_CERTIFICATE) naming the field.
 */
export function validateTlsMaterial(m: TlsMaterial, now: Date = new Date()): TlsSummary {
  const cas = certificates('caCert', m.caCert, 'CA certificate');
  if (!cas.some((c) => c.ca)) throw new TlsMaterialError('caCert', 'The CA certificate is not a CA (its basic constraints do not say CA:TRUE).');
  const [client, ...more] = certificates('clientCert', m.clientCert, 'client certificate');
  if (more.length > 0 && !more.every((c) => c.ca)) throw new TlsMaterialError('clientCert', 'Give one client certificate (optionally followed by its intermediate CAs).');
  const leaf = client!;
  if (now < new Date(leaf.validFrom)) throw new TlsMaterialError('clientCert', `The client certificate is not valid before ${new Date(leaf.validFrom).toISOString()}.`);
  if (now > new Date(leaf.validTo)) throw new TlsMaterialError('clientCert', `The client certificate expired on ${new Date(leaf.validTo).toISOString()}.`);
  const key = privateKey(m.clientKey);
  if (!leaf.checkPrivateKey(key)) throw new TlsMaterialError('clientKey', 'The client key does not belong to the client certificate.');
  const ca = cas.find((c) => c.ca)!;
  return { caFingerprint: `SHA256:${ca.fingerprint256}`, caSubject: ca.subject.replace(/\n/g, ', '), clientSubject: leaf.subject.replace(/\n/g, ', '), clientNotAfter: new Date(leaf.validTo).toISOString() };
}
