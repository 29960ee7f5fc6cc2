import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { checkImport } from './import-boundaries.mjs';

describe('import boundaries', () => {
  it.each([
    ['server/engine/deploy.ts', 'dockerode'],
    ['server/engine/deploy.ts', 'next/server'],
    ['server/stack/catalog.ts', 'drizzle-orm'],
    ['server/engine/deploy.ts', '../docker/client'],
    ['server/engine/deploy.ts', '@/server/db/client'],
    ['server/services/users.ts', 'dockerode'],
    ['app/api/x/route.ts', '@/server/docker/client'],
    ['app/(console)/page.tsx', '@/server/db/client'],
    ['components/ui/button.tsx', '@/server/services/users'],
    ['lib/format.ts', 'node:fs'],
    ['server/project/files.ts', 'next/cache'],
    ['server/db/client.ts', '@/components/ui/button'],
    ['server/logs/logs.ts', '../services/operations'],
    ['server/logs/logs.ts', '../db/database'],
    ['server/logs/logs.ts', '../http/sse'],
    ['server/logs/logs.ts', 'next/server'],
    ['server/logs/logs.ts', 'drizzle-orm'],
    ['server/http/sse.ts', '../operations/runner'],
    ['server/http/api-errors.ts', '@/server/services/users'],
    ['server/http/api-errors.ts', '../logs/logs'],
    ['server/http/sse.ts', 'next/server'],
    ['server/docker/container-logs.ts', '../logs/log-follower'],
    ['server/project/env-file.ts', '../http/api-errors'],
    ['server/db/users.ts', '../http/api-errors'],
    ['server/engine/deploy.ts', '../logs/log-stream'],
    ['server/services/operations.ts', '../runtime'],
    ['server/operations/runner.ts', '@/server/runtime'],
    ['server/services/users.ts', '../auth/session'],
    ['server/services/settings/settings.ts', '../../auth/request-ip'],
    ['server/services/users.ts', 'next/headers'],
    ['app/(console)/page.tsx', '@/server/env'],
  ])('%s may not import %s', (file, spec) => {
    expect(checkImport(file, spec, false)).toEqual(expect.any(String));
  });

  it.each([
    ['server/engine/deploy.ts', '../stack/catalog', false],
    ['server/engine/deploy.ts', '@/lib/schemas/deploy', false],
    ['server/docker/client.ts', 'dockerode', false],
    ['server/services/users.ts', '@/server/db/client', false],
    ['server/services/operations.ts', '../runtime', true],
    ['server/services/users.ts', '../auth/caller', false],
    ['app/(console)/deployments/actions.ts', '@/server/runtime', false],
    ['app/api/x/route.ts', '@/server/services/users', false],
    ['components/users/list.tsx', '@/server/services/users', true],
    ['lib/dto.ts', '@/server/services/users', true],
    ['app/api/logs/stream/route.ts', '@/server/logs/logs', false],
    ['app/api/logs/stream/route.ts', '@/server/http/sse', false],
    ['server/services/operation-events.ts', '../http/sse', false],
    ['server/services/openapi.ts', '../http/api-request', false],
    ['server/logs/logs.ts', '../docker/container-logs', false],
    ['server/logs/logs.ts', '../project/tale-json', false],
    ['server/logs/logs.ts', '../stack/stack-names', false],
    ['server/logs/logs.ts', '../env', false],
    ['server/logs/logs.ts', 'server-only', false],
    ['server/logs/log-stream.ts', './log-follower', false],
    ['server/http/security-headers.ts', '../auth/client-ip', false],
    ['server/http/api-request.ts', './api-errors', false],
    ['server/http/api-errors.ts', '@/lib/errors', false],
    ['server/services/settings/settings.ts', '../../project/write-queue', false],
  ])('%s may import %s', (file, spec, typeOnly) => {
    expect(checkImport(file, spec, typeOnly)).toBeNull();
  });
});
