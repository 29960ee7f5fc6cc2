import { CodedError } from '@/lib/errors';

export type RegistryErrorCode =
  | 'REGISTRY_INVALID_PREFIX'
  | 'REGISTRY_INVALID_TAG'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_RATE_LIMITED'
  | 'REGISTRY_REPOSITORY_NOT_FOUND'
  | 'REGISTRY_TAG_NOT_FOUND'
  | 'REGISTRY_BAD_RESPONSE';

export class RegistryError extends CodedError {
  static override readonly brand: string = 'RegistryError';
  constructor(
    code: RegistryErrorCode,
    message: string,
    options?: ErrorOptions,
    /** Seconds the registry asked us to wait (429 Retry-After). */
    public readonly retryAfterSeconds?: number,
  ) {
    super(code, message, options);
  }
}
