import 'server-only';
import { CodedError } from '@/lib/errors';
import { fieldErrors } from '@/lib/schemas/field-errors';
import type { z } from 'zod';

/** The HTTP status of each error code, thrown or returned; any other code is a 422. */
const CODE_STATUS: Record<string, number> = {
  INVALID_INPUT: 400,
  DOWNGRADE_NOT_CONFIRMED: 400,
  FAILED_RELEASE_NOT_CONFIRMED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NO_PROJECT: 404,
  NO_CONTAINERS: 404,
  CONTAINER_NOT_FOUND: 404,
  OPERATION_IN_PROGRESS: 409,
  NOT_RUNNING: 409,
  BACKUP_NOT_FOUND: 404,
  DISK_PLAN_CHANGED: 409,
  NOTHING_TO_REMOVE: 409,
  ENVIRONMENT_NOT_FOUND: 404,
  ENVIRONMENT_NAME_TAKEN: 409,
  ENVIRONMENT_DUPLICATE: 409,
};

export const statusOfCode = (code: string): number => CODE_STATUS[code] ?? 422;

/** Maps a coded error to its JSON answer; anything else is a 500 that reveals nothing. */
export function errorResponse(err: unknown): Response {
  if (err instanceof CodedError) {
    return Response.json({ code: err.code, message: err.message }, { status: statusOfCode(err.code) });
  }
  console.error('[tale-console] unexpected error', err);
  return Response.json({ code: 'INTERNAL', message: 'Something went wrong on the server.' }, { status: 500 });
}

export function invalidInput(error: z.ZodError): Response {
  return Response.json(
    { code: 'INVALID_INPUT', message: 'Check the request parameters.', fieldErrors: fieldErrors(error) },
    { status: 400 },
  );
}
