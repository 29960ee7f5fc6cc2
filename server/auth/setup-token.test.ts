import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { checkSetupToken, destroySetupToken, ensureSetupToken, setupTokenPath } from './setup-token';

it('creates one private token, accepts only it, and forgets it once destroyed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-token-'));
  try {
    const token = ensureSetupToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ensureSetupToken(dir)).toBe(token);
    expect(fs.statSync(setupTokenPath(dir)).mode & 0o777).toBe(0o600);
    expect(checkSetupToken(dir, token)).toBe(true);
    expect(checkSetupToken(dir, `${token}x`)).toBe(false);
    expect(checkSetupToken(dir, '')).toBe(false);
    destroySetupToken(dir);
    expect(checkSetupToken(dir, token)).toBe(false);
    expect(ensureSetupToken(dir)).not.toBe(token);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
