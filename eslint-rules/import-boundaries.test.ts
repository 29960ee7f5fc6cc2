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
  ])('%s may not import %s', (file, spec) => {
    expect(checkImport(file, spec, false)).toEqual(expect.any(String));
  });

  it.each([
    ['server/engine/deploy.ts', '../stack/catalog', false],
    ['server/engine/deploy.ts', '@/lib/schemas/deploy', false],
    ['server/docker/client.ts', 'dockerode', false],
    ['server/services/users.ts', '@/server/db/client', false],
    ['app/api/x/route.ts', '@/server/services/users', false],
    ['components/users/list.tsx', '@/server/services/users', true],
    ['lib/dto.ts', '@/server/services/users', true],
  ])('%s may import %s', (file, spec, typeOnly) => {
    expect(checkImport(file, spec, typeOnly)).toBeNull();
  });
});
