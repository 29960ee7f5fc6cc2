import 'server-only';
import { z } from 'zod';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { CodedError } from '@/lib/errors';
import { readSetting, writeSetting } from '../db/console-settings';
import type { AlertEvent } from '../alerts/events';
import { tlsExpiryAlert, type CertificateFacts } from '../alerts/system-checks';
import { readCertificate, type CertificateTarget } from '../alerts/tls-certificate';
import type { Runtime } from '../runtime';
import { publishedProxyPort } from './preflight';

// The `tls.expiring` alert (docs/alerts.md#events): every six hours, when the stack's proxy serves
// TLS itself (TLS_MODE selfsigned or letsencrypt; with `external` another proxy holds the
// certificate), the certificate it serves for HOST on its published HTTPS port is read and alerted
// once when fewer than ALERT_TLS_DAYS days remain. The certificate alerted (its fingerprint) is a
// console setting, so a restart does not repeat it and a renewed certificate starts afresh.

/** The certificate last alerted, per environment; the local one keeps the key it had before environments. */
const settingKey = (environmentId: string) => (environmentId === LOCAL_ENVIRONMENT_ID ? 'alerts.tls-notified' : `alerts.tls-notified:${environmentId}`);
const EVERY_MS = 6 * 3_600_000;
/** The first look waits until start-up's reconcile has brought the proxy up. */
const FIRST_MS = 5 * 60_000;

/** Reads the certificate and publishes `tls.expiring` when due; answers the event, or null. */
export async function checkTlsExpiry(rt: Runtime, read: (t: CertificateTarget) => Promise<CertificateFacts> = readCertificate): Promise<Extract<AlertEvent, { kind: 'tls.expiring' }> | null> {
  const soft = <T>(p: Promise<T>) => p.catch((err: unknown) => (err instanceof CodedError ? null : Promise.reject(err)));
  const [env, override] = await Promise.all([soft(rt.project.readEnv()), soft(rt.project.readOverride())]);
  // No project yet, TLS elsewhere, or no name to ask for: nothing to read.
  if (!env?.HOST || (env.TLS_MODE !== 'selfsigned' && env.TLS_MODE !== 'letsencrypt')) return null;
  // A remote environment's proxy publishes its port on its Docker host, not here.
  const cert = await read({ port: publishedProxyPort(override, 443), servername: env.HOST, ...(rt.environment.host ? { host: rt.environment.host } : {}) });
  const key = settingKey(rt.environment.id);
  const found = tlsExpiryAlert(env.HOST, cert, rt.clock.now(), rt.env.alerts.tlsDays, readSetting(rt.db, key, z.string().nullable(), null));
  if (!found) return null;
  const event = { ...found, environmentId: rt.environment.id };
  writeSetting(rt.db, key, cert.fingerprint, 'system');
  rt.alerts.publish(event);
  return event;
}

/** Starts the periodic check; answers its stop. A proxy that is down is tried again at the next. */
export function startTlsAlerts(rt: Runtime): () => void {
  const run = () => void checkTlsExpiry(rt).catch((err: Error) => console.log(`[tale-console] The TLS certificate check failed: ${err.message}`));
  const first = setTimeout(run, FIRST_MS);
  const timer = setInterval(run, EVERY_MS);
  first.unref();
  timer.unref();
  return () => (clearTimeout(first), clearInterval(timer));
}
