import { CONFIG_HASH_LABEL } from '@/server/stack/proxy-config';
import type { ContainerSpec } from '@/server/stack/types';
import type { ContainerDetails } from './ports';

/**
 * About how long the site is unreachable while a running proxy is replaced (stop of the old one,
 * start of the new one, Caddy listening again), as the confirmation dialogs say it. bench/proxy-blip.ts
 * on the 2-core test machine, busy with other tests: 1.50 to 2.02 s (median 1.86 s) over five
 * replacements, of which 0.45 to 1.97 s with requests refused or reset and the rest with requests
 * waiting for the new proxy; the steps before this change took 1.59 to 3.78 s (median 1.99 s).
 */
export const PROXY_RESTART_SECONDS = 2;

export const PROXY_UNCHANGED = 'The proxy’s configuration is unchanged: it keeps running and is not recreated.';

/**
 * True when the running proxy was created from the configuration the plan would create now. A
 * proxy without the hash label (created by the CLI, or by an older console) counts as changed:
 * recreating it once writes the label.
 */
export function proxyUnchanged(existing: ContainerDetails, spec: ContainerSpec): boolean {
  const running = existing.labels[CONFIG_HASH_LABEL];
  return running !== undefined && running === spec.labels[CONFIG_HASH_LABEL];
}
