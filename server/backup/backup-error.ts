import { CodedError } from '@/lib/errors';

export type BackupErrorCode =
  | 'BACKUP_TOOL_MISSING'
  | 'BACKUP_TOOL_FAILED'
  | 'BACKUP_WRONG_PASSWORD'
  | 'BACKUP_REPOSITORY_MISSING'
  | 'BACKUP_TARGET_FULL'
  | 'BACKUP_DB_NOT_RUNNING'
  | 'BACKUP_DUMP_FAILED'
  | 'BACKUP_NOT_FOUND'
  | 'BACKUP_MANIFEST_INVALID'
  | 'BACKUP_OTHER_PROJECT'
  | 'RESTORE_FAILED'
  | 'RESTORE_ROWS_DIFFER'
  | 'RESTORE_UNHEALTHY'
  | 'DRILL_ROWS_DIFFER'
  | 'DRILL_FAILED'
  | 'REPOSITORY_CHECK_FAILED'
  | 'CANCELLED';

export class BackupError extends CodedError {
  constructor(code: BackupErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
