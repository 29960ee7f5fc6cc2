import { describe, expect, it } from 'vitest';
import type { AlertEvent } from './events';
import { crossing, readHostFigures, startSystemChecks } from './system-checks';

describe('disk and memory thresholds', () => {
  it('alert on crossing, not again while above, again only after going 5 points below', () => {
    let armed = true;
    const alerts: number[] = [];
    for (const used of [80, 91, 95, 89, 86, 92, 84, 90]) {
      const r = crossing(used, 90, armed);
      armed = r.armed;
      if (r.alert) alerts.push(used);
    }
    expect(alerts).toEqual([91, 90]);
  });

  it('publishes a disk alert with its figures from the first check', async () => {
    const events: AlertEvent[] = [];
    const stop = startSystemChecks('/srv/tale', (e) => events.push(e), async () => ({ disk: { usedPercent: 97, freeBytes: 2 * 1024 ** 3 }, memory: { usedPercent: 40, availableBytes: 1 } }));
    await new Promise((r) => setImmediate(r));
    stop();
    expect(events).toEqual([{ kind: 'disk.threshold', data: { path: '/srv/tale', usedPercent: 97, thresholdPercent: 90, freeBytes: 2 * 1024 ** 3 } }]);
  });

  it('reads this machine’s figures (fs.statfs, os memory)', async () => {
    const f = await readHostFigures('/');
    console.log(`[system-checks] / ${f.disk?.usedPercent}% used, memory ${f.memory.usedPercent}% used`);
    expect(f.disk?.usedPercent).toBeGreaterThanOrEqual(0);
    expect(f.disk?.usedPercent).toBeLessThanOrEqual(100);
    expect(await readHostFigures('/nonexistent/dir').then((x) => x.disk)).toBeNull();
  });
});
