import { expect } from 'vitest';
import type { HealthHistoryDto } from '@/lib/dto/health';
import type { RunningConsole } from './console';

/** The last hour of the health history, as a viewer's API client reads it. */
export async function healthHistory(app: Pick<RunningConsole, 'baseURL' | 'cookie'>): Promise<HealthHistoryDto> {
  const res = await fetch(`${app.baseURL}/api/v1/health/history?range=1h`, { headers: { cookie: app.cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as HealthHistoryDto;
}

/**
 * Polls the history (for up to 90 s) until `find` answers something, and prints how long that took.
 * `app` is a getter: a test may restart the console between two polls.
 */
export async function historyUntil<T>(app: () => Pick<RunningConsole, 'baseURL' | 'cookie'>, label: string, what: string, find: (h: HealthHistoryDto) => T | undefined, intervalMs = 500): Promise<T> {
  const started = Date.now();
  let last: HealthHistoryDto | null = null;
  while (Date.now() - started < 90_000) {
    last = await healthHistory(app());
    const found = find(last);
    if (found) {
      console.log(`[${label}] ${what}: in the history after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return found;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} never appeared; incidents: ${JSON.stringify(last?.incidents)}`);
}
