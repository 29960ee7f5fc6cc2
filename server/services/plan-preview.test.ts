import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
const { describeStep, isDowngrade } = await import('./plan-preview');

describe('plan preview', () => {
  it('describes each step in one line', () => {
    expect(describeStep({ phase: 'pull', action: 'pull', image: 'r/tale-platform:1.1.0' })).toBe('pull r/tale-platform:1.1.0');
    expect(describeStep({ phase: 'health', action: 'wait-healthy', containers: ['a', 'b'] })).toBe('wait until healthy: a, b');
    expect(describeStep({ phase: 'switch', action: 'write-state', color: 'green', previousVersion: '1.0.0' })).toBe('record green as live, 1.0.0 as previous');
    expect(describeStep({ phase: 'retire', action: 'retire', container: 'x-platform-blue', graceSeconds: 5 })).toBe('retire x-platform-blue (drain up to 5 s)');
  });

  it('calls a version older than the live one a downgrade', () => {
    expect(isDowngrade('1.0.0', '1.1.0')).toBe(true);
    expect(isDowngrade('1.1.0', '1.0.0')).toBe(false);
    expect(isDowngrade('1.1.0', '1.1.0')).toBe(false);
    expect(isDowngrade('1.1.0', null)).toBe(false);
    expect(isDowngrade('1.1.0-rc.1', '1.1.0')).toBe(true);
  });
});
