import { CodedError } from '@/lib/errors';

export type PostgresErrorCode =
  | 'PG_URL_INVALID'
  | 'PG_IDENTIFIER_INVALID'
  | 'PG_UNREACHABLE'
  | 'PG_TIMEOUT'
  | 'PG_AUTH_FAILED'
  | 'PG_TLS_FAILED'
  | 'PG_TLS_REQUIRED'
  | 'PG_DATABASE_MISSING'
  | 'PG_FAILED'
  | 'DB_UNREACHABLE_FROM_STACK'
  | 'PROBE_IMAGE_MISSING';

export class PostgresError extends CodedError {
  static override readonly brand: string = 'PostgresError';
  constructor(code: PostgresErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
