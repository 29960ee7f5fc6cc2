import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
vi.mock('../runtime', () => ({ createEnginePorts: () => ({}) }));

const { newerThan } = await import('./releases');

describe('newer version', () => {
  it('is the newest tag only when it is above the live version', () => {
    expect(newerThan(['1.2.0', '1.1.0', '1.0.0'], '1.1.0')).toBe('1.2.0');
    expect(newerThan(['1.2.0', '1.1.0'], '1.2.0')).toBeNull();
    // A live version newer than anything in the registry (a local build) is no reason to "upgrade".
    expect(newerThan(['1.2.0'], '1.3.0')).toBeNull();
    expect(newerThan([], '1.0.0')).toBeNull();
    expect(newerThan(['1.2.0'], null)).toBeNull();
    expect(newerThan(['1.2.0'], 'dev')).toBeNull();
  });
});
