import { CodedError } from '@/lib/errors';

export type RemoteErrorCode =
  | 'INVALID_ENDPOINT'
  | 'HOST_UNREACHABLE'
  | 'HOST_KEY_CHANGED'
  | 'AUTH_FAILED'
  | 'DIRECTORY_MISSING'
  | 'DIRECTORY_NOT_WRITABLE'
  | 'DOCKER_UNAVAILABLE'
  | 'CONNECTION_LOST'
  // TCP with TLS client certificates (docs/environments.md#endpoints):
  | 'INVALID_CERTIFICATE'
  | 'TLS_CERT_UNTRUSTED'
  | 'TLS_NAME_MISMATCH'
  | 'CLIENT_CERT_REFUSED';

/**
 * An environment's transport failed (docs/environments.md#errors). Messages name the host, port and
 * fingerprints, never a private key or a certificate's PEM: they reach the audit log and the page as they are.
 */
export class RemoteError extends CodedError {
  static override readonly brand: string = 'RemoteError';
  declare code: RemoteErrorCode;

  constructor(code: RemoteErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
