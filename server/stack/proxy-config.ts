import { feedsProxy } from '@/lib/settings/apply-targets';
import { contentHash } from './content-hash';
import type { ContainerSpec, StackOverride } from './types';

// Recreating the proxy makes the whole site unreachable for a moment (it holds the published
// ports, which two containers cannot share), so a deploy recreates it only when what it was
// created from changed. The proxy records that as a hash in a label at create; the planner
// compares it with the hash of the spec it would create now.

export const CONFIG_HASH_LABEL = 'io.tale.console.config-hash';
const VERSION_LABEL = 'io.tale.console.version';

/**
 * Hash of everything in the proxy's spec that shapes what it serves: image, ports, volumes,
 * aliases, health check, the `.env` keys the proxy reads (the catalogue's rule, the one that also
 * marks a change "pending" for the proxy) and every key compose.override.yml sets for it. Left
 * out: the keys only other services read (every container receives the whole `.env`, so the
 * proxy keeps their old values until it is next recreated, and reads none of them) and the
 * version label (with a pinned proxy image, a new release changes nothing the proxy runs).
 */
export function proxyConfigHash(spec: ContainerSpec, override: StackOverride | undefined): string {
  const own = new Set(Object.keys(override?.proxy?.environment ?? {}));
  const env = Object.fromEntries(Object.entries(spec.env).filter(([key]) => own.has(key) || feedsProxy(key)));
  const labels = Object.fromEntries(Object.entries(spec.labels).filter(([key]) => key !== VERSION_LABEL && key !== CONFIG_HASH_LABEL));
  return contentHash({ ...spec, env, labels });
}
