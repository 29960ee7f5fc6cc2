import { CodedError } from '@/lib/errors';
import type { LogLine } from './ports';

export type EngineErrorCode =
  | 'NO_VERSION_AVAILABLE'
  | 'PULL_FAILED'
  | 'ACTIVE_COLOR_AMBIGUOUS'
  | 'NO_ACTIVE_DEPLOYMENT'
  | 'NO_PREVIOUS_VERSION'
  | 'INVALID_VERSION'
  | 'SWITCH_FAILED'
  | 'INVALID_SERVICES'
  | 'INVALID_OPTIONS'
  | 'CANCELLED';

export class EngineError extends CodedError {
  static override readonly brand: string = 'EngineError';
  constructor(code: EngineErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export type HealthFailureCode = 'CONTAINER_EXITED' | 'CONTAINER_RESTARTED' | 'CONTAINER_UNHEALTHY' | 'HEALTH_CHECK_TIMEOUT' | 'CONTAINER_MISSING';

/** A target container failed the gate; carries what the operator needs to see why. */
export class HealthGateError extends CodedError {
  static override readonly brand: string = 'HealthGateError';
  constructor(
    code: HealthFailureCode,
    message: string,
    public readonly container: string,
    public readonly logs: LogLine[],
  ) {
    super(code, message);
  }
}
