import fs from 'node:fs';
import os from 'node:os';
import type { AlertEvent } from './events';

// The host checks behind the disk and memory alerts: every five minutes, the file system that
// holds the deployment directory (fs.statfs: what `df` says) and the host's memory (os.freemem,
// which is MemAvailable on Linux). An alert fires when a figure crosses its threshold and not again
// until it has gone 5 points below it, so a figure hovering at the line does not alert every check.

export const DISK_THRESHOLD_PERCENT = 90;
export const MEMORY_THRESHOLD_PERCENT = 90;
const REARM_POINTS = 5;
const EVERY_MS = 5 * 60_000;

/** Whether to alert now, and the new armed state: armed means the next crossing alerts. */
export function crossing(usedPercent: number, thresholdPercent: number, armed: boolean): { alert: boolean; armed: boolean } {
  if (usedPercent >= thresholdPercent) return { alert: armed, armed: false };
  return { alert: false, armed: armed || usedPercent < thresholdPercent - REARM_POINTS };
}

export type HostFigures = { disk: { usedPercent: number; freeBytes: number } | null; memory: { usedPercent: number; availableBytes: number } };

export async function readHostFigures(dir: string): Promise<HostFigures> {
  const disk = await fs.promises.statfs(dir).then(
    (s) => ({ usedPercent: Math.round(100 * (1 - s.bavail / s.blocks)), freeBytes: s.bavail * s.bsize }),
    () => null, // the directory may not exist yet (no project): nothing to say about it
  );
  const total = os.totalmem();
  const available = os.freemem();
  return { disk, memory: { usedPercent: Math.round(100 * (1 - available / total)), availableBytes: available } };
}

/** Starts the periodic check; answers its stop. */
export function startSystemChecks(dir: string, publish: (e: AlertEvent) => void, read: (dir: string) => Promise<HostFigures> = readHostFigures): () => void {
  let diskArmed = true;
  let memoryArmed = true;
  const check = async () => {
    try {
      const f = await read(dir);
      if (f.disk) {
        const d = crossing(f.disk.usedPercent, DISK_THRESHOLD_PERCENT, diskArmed);
        diskArmed = d.armed;
        if (d.alert) publish({ kind: 'disk.threshold', data: { path: dir, usedPercent: f.disk.usedPercent, thresholdPercent: DISK_THRESHOLD_PERCENT, freeBytes: f.disk.freeBytes } });
      }
      const m = crossing(f.memory.usedPercent, MEMORY_THRESHOLD_PERCENT, memoryArmed);
      memoryArmed = m.armed;
      if (m.alert) publish({ kind: 'memory.threshold', data: { usedPercent: f.memory.usedPercent, thresholdPercent: MEMORY_THRESHOLD_PERCENT, availableBytes: f.memory.availableBytes } });
    } catch (err) {
      console.error('[tale-console] The disk and memory check failed', err);
    }
  };
  const timer = setInterval(() => void check(), EVERY_MS);
  timer.unref();
  void check();
  return () => clearInterval(timer);
}
