import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { downsample, insertSamples, samplesBetween } from './store';

let temp: TempDb;
afterEach(() => temp.dispose());

const H = 3_600_000;
const reading = { container: 'c', service: 'platform', color: 'blue', cpuPercent: 10, memoryBytes: 100 };

describe('downsample (SQL)', () => {
  it('rolls raw readings older than 24 h into minute averages, keeps newer ones raw and drops what is older than 30 days', () => {
    temp = openTempDb('tc-watch-store-');
    const now = Date.UTC(2026, 0, 31, 0, 0, 0);
    for (let s = 0; s < 60; s += 10) insertSamples(temp.db, 'local', new Date(now - 25 * H + s * 1000), [{ ...reading, cpuPercent: s }]);
    insertSamples(temp.db, 'local', new Date(now - H), [reading]);
    insertSamples(temp.db, 'local', new Date(now - 31 * 24 * H), [reading]);
    downsample(temp.db, 'local', now);
    const rows = temp.db.all<{ resolution: number; count: number; cpu_percent: number }>(sql`SELECT resolution, count, cpu_percent FROM health_samples ORDER BY at`);
    expect(rows).toEqual([
      { resolution: 60, count: 6, cpu_percent: (0 + 10 + 20 + 30 + 40 + 50) / 6 },
      { resolution: 10, count: 1, cpu_percent: 10 },
    ]);
    // Both tiers read as one series.
    expect(samplesBetween(temp.db, 'local', new Date(now - 26 * H), new Date(now))).toHaveLength(2);
  });
});
