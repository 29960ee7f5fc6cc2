import { describe, expect, it, vi } from 'vitest';
import type { AlertEvent } from './events';
import { crossing, readHostFigures, startSystemChecks, tlsExpiryAlert, type SystemCheckOptions } from './system-checks';

const opts: SystemCheckOptions = { diskPath: '/srv/tale', diskPercent: 90, memoryPercent: 90, checkIntervalMs: 300_000 };

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
    const stop = startSystemChecks(opts, (e) => events.push(e), async () => ({ disk: { usedPercent: 97, freeBytes: 2 * 1024 ** 3 }, memory: { usedPercent: 40, availableBytes: 1 } }));
    await new Promise((r) => setImmediate(r));
    stop();
    expect(events).toEqual([{ kind: 'disk.threshold', data: { path: '/srv/tale', usedPercent: 97, thresholdPercent: 90, freeBytes: 2 * 1024 ** 3 } }]);
  });

  it('takes its thresholds, path and period from the options (ALERT_* keys)', async () => {
    const events: AlertEvent[] = [];
    const read = vi.fn(async (_dir: string) => ({ disk: { usedPercent: 94, freeBytes: 1 }, memory: { usedPercent: 81, availableBytes: 1 } }));
    vi.useFakeTimers();
    try {
      const stop = startSystemChecks({ diskPath: '/mnt/small', diskPercent: 95, memoryPercent: 80, checkIntervalMs: 2000 }, (e) => events.push(e), read);
      await vi.advanceTimersByTimeAsync(4100);
      stop();
    } finally {
      vi.useRealTimers();
    }
    expect(read.mock.calls.map((c) => c[0])).toEqual(['/mnt/small', '/mnt/small', '/mnt/small']);
    expect(events).toEqual([{ kind: 'memory.threshold', data: { usedPercent: 81, thresholdPercent: 80, availableBytes: 1 } }]);
  });

  it('reads this machine’s figures (fs.statfs, os memory)', async () => {
    const f = await readHostFigures('/');
    console.log(`[system-checks] / ${f.disk?.usedPercent}% used, memory ${f.memory.usedPercent}% used`);
    expect(f.disk?.usedPercent).toBeGreaterThanOrEqual(0);
    expect(f.disk?.usedPercent).toBeLessThanOrEqual(100);
    expect(await readHostFigures('/nonexistent/dir').then((x) => x.disk)).toBeNull();
  });
});

describe('the TLS expiry decision', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const cert = (days: number, fingerprint = 'AA:BB') => ({ validTo: new Date(now.getTime() + days * 86_400_000), fingerprint });

  it('alerts when fewer than the days remain, with the whole days left', () => {
    expect(tlsExpiryAlert('tale.example.com', cert(20), now, 14, null)).toBeNull();
    expect(tlsExpiryAlert('tale.example.com', cert(14), now, 14, null)).toBeNull();
    expect(tlsExpiryAlert('tale.example.com', cert(13.5), now, 14, null)).toEqual({
      kind: 'tls.expiring',
      data: { domain: 'tale.example.com', expiresAt: '2026-12-17T00:00:00.000Z', daysLeft: 13 },
    });
    expect(tlsExpiryAlert('tale.example.com', cert(-1), now, 14, null)?.data.daysLeft).toBe(0);
  });

  it('once per certificate: the same fingerprint again is silent, a renewed certificate may alert', () => {
    expect(tlsExpiryAlert('h', cert(3, 'AA:BB'), now, 14, 'AA:BB')).toBeNull();
    expect(tlsExpiryAlert('h', cert(3, 'CC:DD'), now, 14, 'AA:BB')).not.toBeNull();
  });
});
