import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, nextRun, type BackupSchedule } from './schedule';

const daily = (at: string): BackupSchedule => ({ ...DEFAULT_SCHEDULE, enabled: true, mode: 'daily', at });
const every = (hours: number): BackupSchedule => ({ ...DEFAULT_SCHEDULE, enabled: true, mode: 'every', everyHours: hours });
const d = (iso: string) => new Date(iso);

describe('the next scheduled backup', () => {
  it('is none while the schedule is off (the default)', () => {
    expect(DEFAULT_SCHEDULE).toMatchObject({ enabled: false, mode: 'daily', at: '03:00', keep: { daily: 7, weekly: 4, monthly: 6 } });
    expect(nextRun(DEFAULT_SCHEDULE, null, d('2026-12-03T10:00:00Z'))).toBeNull();
  });

  it('is the next HH:MM UTC after the schedule was set, today or tomorrow, never at once for a slot already past', () => {
    expect(nextRun(daily('03:00'), null, d('2026-12-03T01:00:00Z'))).toEqual(d('2026-12-03T03:00:00Z'));
    expect(nextRun(daily('03:00'), null, d('2026-12-03T10:00:00Z'))).toEqual(d('2026-12-04T03:00:00Z'));
    expect(nextRun(daily('03:00'), null, d('2026-12-03T03:00:00Z'))).toEqual(d('2026-12-04T03:00:00Z'));
    // Across a month's and a year's end.
    expect(nextRun(daily('23:30'), null, d('2026-12-31T23:45:00Z'))).toEqual(d('2027-01-01T23:30:00Z'));
  });

  it('follows the last scheduled backup, so a restart neither repeats nor skips one', () => {
    const setAt = d('2026-11-01T12:00:00Z');
    // Ran today at 03:00: the next is tomorrow's, whenever the console restarts today.
    expect(nextRun(daily('03:00'), d('2026-12-03T03:00:02Z'), setAt)).toEqual(d('2026-12-04T03:00:00Z'));
    // Down over today's 03:00 (the last ran yesterday): today's is due, i.e. in the past → run now, once.
    const due = nextRun(daily('03:00'), d('2026-12-02T03:00:01Z'), setAt)!;
    expect(due).toEqual(d('2026-12-03T03:00:00Z'));
    expect(due < d('2026-12-03T09:00:00Z')).toBe(true);
  });

  it('counts from a change of the schedule made after the last run', () => {
    expect(nextRun(daily('09:00'), d('2026-12-03T03:00:00Z'), d('2026-12-03T10:00:00Z'))).toEqual(d('2026-12-04T09:00:00Z'));
  });

  it('every N hours counts from the last run, or from when it was set', () => {
    expect(nextRun(every(6), null, d('2026-12-03T10:00:00Z'))).toEqual(d('2026-12-03T16:00:00Z'));
    expect(nextRun(every(6), d('2026-12-03T11:00:00Z'), d('2026-12-03T10:00:00Z'))).toEqual(d('2026-12-03T17:00:00Z'));
  });
});
