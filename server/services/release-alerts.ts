import 'server-only';
import { z } from 'zod';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { readSetting, writeSetting } from '../db/console-settings';
import type { Runtime } from '../runtime';
import { failedReleases } from './failed-releases';
import { currentStatus } from './operations';
import { newerRelease, registryTags } from './releases';

// The `release.available` alert (docs/alerts.md#events): every six hours the same question the
// overview's "Upgrade to X" asks (a newer complete release that has not failed here), alerted once
// per version. The version last alerted is a console setting, so a restart does not repeat it.

/** The version last alerted, per environment (each runs its own); the local one keeps the key it had before environments. */
const settingKey = (environmentId: string) => (environmentId === LOCAL_ENVIRONMENT_ID ? 'alerts.release-notified' : `alerts.release-notified:${environmentId}`);
const EVERY_MS = 6 * 3_600_000;
/** The first look waits until start-up's reconcile and image checks have had their turn. */
const FIRST_MS = 5 * 60_000;

/** Publishes `release.available` when the registry offers a release not alerted before; answers it. */
export async function checkNewRelease(rt: Runtime): Promise<string | null> {
  const status = await currentStatus(rt);
  if (!status.activeVersion) return null;
  const newer = await newerRelease(rt, await registryTags(rt, true), status.activeVersion, failedReleases(rt.db, rt.environment.id));
  const key = settingKey(rt.environment.id);
  if (!newer || readSetting(rt.db, key, z.string(), '') === newer) return null;
  writeSetting(rt.db, key, newer, 'system');
  rt.alerts.publish({ kind: 'release.available', data: { version: newer, current: status.activeVersion }, environmentId: rt.environment.id });
  return newer;
}

/** Starts the periodic check; answers its stop. A registry that cannot be reached is tried again at the next. */
export function startReleaseAlerts(rt: Runtime): () => void {
  const run = () => void checkNewRelease(rt).catch((err: Error) => console.log(`[tale-console] The release check for alerts failed: ${err.message}`));
  const first = setTimeout(run, FIRST_MS);
  const timer = setInterval(run, EVERY_MS);
  first.unref();
  timer.unref();
  return () => (clearTimeout(first), clearInterval(timer));
}
