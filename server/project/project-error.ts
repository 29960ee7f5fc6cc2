import { CodedError } from '@/lib/errors';

export type ProjectErrorCode =
  | 'PROJECT_NOT_FOUND'
  | 'PROJECT_EXISTS'
  | 'TALE_JSON_INVALID'
  | 'PROJECT_ID_MISSING'
  | 'PROJECT_ID_INVALID'
  | 'ENV_NOT_FOUND'
  | 'ENV_INVALID'
  | 'ENV_UNWRITABLE_VALUE'
  | 'STATE_INVALID'
  | 'LOCK_HELD'
  | 'LOCK_CORRUPT'
  | 'OVERRIDE_INVALID'
  | 'OVERRIDE_UNSUPPORTED';

export class ProjectError extends CodedError {
  static override readonly brand: string = 'ProjectError';
  constructor(
    code: ProjectErrorCode,
    message: string,
    /** One message per refused `.env` field; never contains the refused value. */
    public readonly fieldErrors?: Record<string, string>,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}
