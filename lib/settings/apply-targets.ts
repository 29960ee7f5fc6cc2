import { envKeyInfo } from './env-catalog';

/**
 * What must be recreated for a change to take effect: the proxy (updated in place; a plain deploy
 * keeps it) and/or the colors (a blue-green deploy of the current version, zero downtime).
 */
export type ApplyTargets = { proxy: boolean; colors: boolean };

// Unknown keys reach every container through the shared env file; the colors are what reads them.
const affectsOf = (key: string) => envKeyInfo(key)?.affects ?? 'colors';

/**
 * Whether the proxy reads the key, so that a change to it must recreate the proxy. The same rule
 * decides "pending" here and whether a deploy finds the running proxy's configuration changed
 * (server/stack/proxy-config.ts).
 */
export function feedsProxy(key: string): boolean {
  const affects = affectsOf(key);
  return affects === 'proxy' || affects === 'all';
}

export function envApplyTargets(keys: string[]): ApplyTargets {
  const out = { proxy: false, colors: false };
  for (const key of keys) {
    const affects = affectsOf(key);
    if (feedsProxy(key)) out.proxy = true;
    if (affects === 'colors' || affects === 'all') out.colors = true;
  }
  return out;
}

/**
 * A pin of the proxy is applied by updating it in place, a pin of a rotatable service by the colors.
 * db and convex are recreated only by a deploy of all services, which the console does not start
 * on its own: it stops the database.
 */
export function pinApplyTargets(service: string): ApplyTargets {
  return { proxy: service === 'proxy', colors: ['platform', 'rag', 'crawler'].includes(service) };
}

export const BOTH: ApplyTargets = { proxy: true, colors: true };
