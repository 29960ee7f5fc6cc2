import { describe, expect, it } from 'vitest';
import { cleanupInputSchema, deployInputSchema, resetInputSchema, rollbackInputSchema, updateInputSchema } from './operations';

describe('operation input schemas', () => {
  it('takes an in-place update of known services only', () => {
    expect(updateInputSchema.parse({ services: ['platform', 'rag'] })).toEqual({ services: ['platform', 'rag'], dryRun: false, allowDowngrade: false });
    for (const bad of [{ services: [] }, { services: ['nginx'] }, { services: ['platform'], version: '1.0; rm -rf /' }, { services: ['db'], all: true }]) {
      expect(updateInputSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes the downgrade confirmation as a boolean only, off unless given', () => {
    expect(deployInputSchema.parse({ version: '1.0.0' }).allowDowngrade).toBe(false);
    expect(deployInputSchema.parse({ version: '1.0.0', allowDowngrade: true }).allowDowngrade).toBe(true);
    for (const allowDowngrade of ['true', 1, null]) expect(deployInputSchema.safeParse({ allowDowngrade }).success, String(allowDowngrade)).toBe(false);
    expect(rollbackInputSchema.safeParse({ allowDowngrade: true }).success).toBe(false);
  });

  it('takes versions by the one version rule', () => {
    expect(deployInputSchema.parse({ version: 'v1.2.3-rc.1' }).version).toBe('v1.2.3-rc.1');
    for (const version of ['latest', '1.2.3-arm64', '1.2.3-rc..1']) {
      expect(rollbackInputSchema.safeParse({ version }).error?.issues[0]?.message, version).toBe('Not a version tag such as 1.2.3');
    }
  });

  it('needs the typed project id for a reset, and "all" for removing volumes', () => {
    expect(resetInputSchema.parse({ projectId: ' my-tale ', all: true, volumes: true })).toEqual({ projectId: 'my-tale', all: true, volumes: true });
    expect(resetInputSchema.safeParse({ all: true }).success).toBe(false);
    expect(resetInputSchema.safeParse({ projectId: '' }).success).toBe(false);
    const volumesOnly = resetInputSchema.safeParse({ projectId: 'my-tale', volumes: true });
    expect(volumesOnly.error?.issues[0]?.path).toEqual(['volumes']);
  });

  it('lets a cleanup carry the typed project id, and nothing else', () => {
    expect(cleanupInputSchema.parse({})).toEqual({});
    expect(cleanupInputSchema.safeParse({ projectId: 'x', force: true }).success).toBe(false);
  });
});
