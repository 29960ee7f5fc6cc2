import fs from 'node:fs';
import os from 'node:os';
import type { AlertEvent } from './events';

// The host checks behind the disk and memory alerts: every ALERT_CHECK_SECONDS (5 min), the file
// system that holds the deployment directory (or ALERT_DISK_PATH; fs.statfs: what `df` says) and
// the host's memory (os.freemem, which is MemAvailable on Linux). An alert fires when a figure
// crosses its threshold (ALERT_DISK_PERCENT, ALERT_MEMORY_PERCENT: 90) and not again until it has
// gone 5 points below it, so a figure hovering at the line does not alert every check. And the
// decision behind `tls.expiring` (the certificate is read by tls-certificate.ts).

const REARM_POINTS = 5;

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

export type SystemCheckOptions = { diskPath: string; diskPercent: number; memoryPercent: number; checkIntervalMs: number };

/** Starts the periodic check; answers its stop. */
export function startSystemChecks(opts: SystemCheckOptions, publish: (e: AlertEvent) => void, read: (dir: string) => Promise<HostFigures> = readHostFigures): () => void {
  const dir = opts.diskPath;
  let diskArmed = true;
  let memoryArmed = true;
  const check = async () => {
    try {
      const f = await read(dir);
      if (f.disk) {
        const d = crossing(f.disk.usedPercent, opts.diskPercent, diskArmed);
        diskArmed = d.armed;
        if (d.alert) publish({ kind: 'disk.threshold', data: { path: dir, usedPercent: f.disk.usedPercent, thresholdPercent: opts.diskPercent, freeBytes: f.disk.freeBytes } });
      }
      const m = crossing(f.memory.usedPercent, opts.memoryPercent, memoryArmed);
      memoryArmed = m.armed;
      if (m.alert) publish({ kind: 'memory.threshold', data: { usedPercent: f.memory.usedPercent, thresholdPercent: opts.memoryPercent, availableBytes: f.memory.availableBytes } });
    } catch (err) {
      console.error('[tale-console] The disk and memory check failed', err);
    }
  };
  const timer = setInterval(() => void check(), opts.checkIntervalMs);
  timer.unref();
  void check();
  return () => clearInterval(timer);
}

/** What tls-certificate.ts reads off the proxy's certificate. */
export type CertificateFacts = { validTo: Date; fingerprint: string };

/**
 * `tls.expiring` for a certificate with fewer than `days` days left, or null: null too when this
 * certificate (by fingerprint) was alerted before, so each certificate alerts once and its renewal,
 * a new certificate, can alert again when its own time comes.
 */
export function tlsExpiryAlert(domain: string, cert: CertificateFacts, now: Date, days: number, alertedFingerprint: string | null): Extract<AlertEvent, { kind: 'tls.expiring' }> | null {
  const leftMs = cert.validTo.getTime() - now.getTime();
  if (leftMs >= days * 86_400_000 || cert.fingerprint === alertedFingerprint) return null;
  return { kind: 'tls.expiring', data: { domain, expiresAt: cert.validTo.toISOString(), daysLeft: Math.max(0, Math.floor(leftMs / 86_400_000)) } };
}
