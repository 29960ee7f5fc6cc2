import { SQL_IDENTIFIER } from '@/lib/schemas/external-database';
import { PostgresError } from './postgres-error';

// Utility statements (CREATE ROLE, CREATE DATABASE, GRANT) take no bind parameters, so names go
// into the SQL text. They are checked against a pattern that needs no quoting, and quoted anyway.

export function assertIdentifier(name: string): string {
  if (!SQL_IDENTIFIER.test(name)) throw new PostgresError('PG_IDENTIFIER_INVALID', `Not an accepted SQL identifier: ${JSON.stringify(name.slice(0, 70))}`);
  return name;
}

/** `"name"`, after validation. */
export function ident(name: string): string {
  return `"${assertIdentifier(name)}"`;
}

/** A SQL string literal for values that cannot be parameters (e.g. a SCRAM verifier in CREATE ROLE). */
export function literal(value: string): string {
  if (/[\u0000]/.test(value)) throw new PostgresError('PG_FAILED', 'A value contains a NUL byte');
  return `'${value.replace(/'/g, "''")}'`;
}
