import { describe, expect, it } from 'vitest';
import { preparePlan } from './prepare-plan';
import { scramVerifier } from './scram';

describe('preparePlan', () => {
  const verifier = scramVerifier('s3cret-password-value');
  const plan = preparePlan({ role: 'tale', passwordVerifier: verifier, rotatePassword: false });

  it('lists the init-script statements (docs/tale-cli.md#bundled-database-init) in order, identifiers quoted', () => {
    expect(plan.map((s) => s.sql)).toEqual([
      `CREATE ROLE "tale" LOGIN PASSWORD '[SCRAM-SHA-256 verifier of the generated password]'`,
      'CREATE DATABASE "tale_platform"',
      'GRANT ALL PRIVILEGES ON DATABASE "tale_platform" TO "tale"',
      'CREATE DATABASE "tale_knowledge"',
      'GRANT ALL PRIVILEGES ON DATABASE "tale_knowledge" TO "tale"',
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      'CREATE EXTENSION IF NOT EXISTS pgcrypto',
      'GRANT USAGE, CREATE ON SCHEMA public TO "tale"',
      'CREATE EXTENSION IF NOT EXISTS vector',
      'CREATE EXTENSION IF NOT EXISTS pg_search',
      'CREATE SCHEMA IF NOT EXISTS "public_web"',
      'CREATE SCHEMA IF NOT EXISTS "private_knowledge"',
      'GRANT USAGE, CREATE ON SCHEMA "public_web", "private_knowledge" TO "tale"',
      'ALTER ROLE "tale" IN DATABASE "tale_knowledge" SET search_path TO public_web, private_knowledge, public',
      'GRANT ALL ON ALL TABLES IN SCHEMA "public_web", "private_knowledge" TO "tale"',
      'GRANT ALL ON ALL SEQUENCES IN SCHEMA "public_web", "private_knowledge" TO "tale"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public_web", "private_knowledge" GRANT ALL ON TABLES TO "tale"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public_web", "private_knowledge" GRANT ALL ON SEQUENCES TO "tale"',
    ]);
  });

  it('never shows the verifier', () => {
    expect(plan.some((s) => s.sql.includes(verifier) || s.sql.includes('SCRAM-SHA-256$'))).toBe(false);
  });

  it('runs each step in the right database; only pg_search is optional', () => {
    expect(plan.filter((s) => s.database === 'admin').map((s) => s.id)).toEqual([
      'role', 'database:tale_platform', 'database-grant:tale_platform', 'database:tale_knowledge', 'database-grant:tale_knowledge',
    ]);
    expect(plan.filter((s) => s.optional).map((s) => s.id)).toEqual(['extension:tale_knowledge:pg_search']);
  });

  it('uses another role name, and refuses one that is not a plain identifier', () => {
    expect(preparePlan({ role: 'tale_svc', passwordVerifier: null, rotatePassword: false })[0]!.sql).toContain('"tale_svc"');
    for (const bad of ['Tale', 'tale"; DROP DATABASE x; --', 'x y', '']) {
      expect(() => preparePlan({ role: bad, passwordVerifier: null, rotatePassword: false })).toThrow(
        expect.objectContaining({ code: 'PG_IDENTIFIER_INVALID' }),
      );
    }
  });

  it('says when the password is rotated', () => {
    expect(preparePlan({ role: 'tale', passwordVerifier: verifier, rotatePassword: true })[0]!.title).toMatch(/new password/);
  });
});
