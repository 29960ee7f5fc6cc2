import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, formatUptime } from './format-usage';

describe('usage formatting', () => {
  it('formats memory, CPU and uptime', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(40 * 1024 * 1024)).toBe('40.0 MiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatCpu(3.14159)).toBe('3.1 %');
    expect(formatCpu(123.4)).toBe('123 %');
    const now = new Date('2026-01-02T03:04:05Z');
    expect(formatUptime('2026-01-02T03:03:25Z', now)).toBe('40s');
    expect(formatUptime('2025-12-30T01:00:00Z', now)).toBe('3d 2h');
    expect(formatUptime('2026-01-02T03:04:05Z', now)).toBe('0s');
    expect(formatUptime(null, now)).toBe('—');
  });
});
