import { CodedError } from '@/lib/errors';

export type StackErrorCode = 'STACK_INVALID_INPUT' | 'EXTERNAL_DB_URL_MISSING' | 'EXTERNAL_DB_URL_POINTS_TO_BUNDLED_DB';

export class StackError extends CodedError {
  static override readonly brand: string = 'StackError';
  constructor(code: StackErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
