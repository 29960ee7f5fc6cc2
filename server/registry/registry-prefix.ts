import { RegistryError } from './registry-error';

export interface RegistryPrefix {
  /** host[:port] as written. */
  host: string;
  hostname: string;
  namespace: string;
  scheme: 'http' | 'https';
  baseUrl: string;
}

const PREFIX = /^([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?(\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';
}

/**
 * Splits a GHCR_REGISTRY value (`ghcr.io/tale-project/tale`) into host and namespace. Only a
 * loopback registry is spoken to over plain HTTP, as Docker itself allows without configuration.
 */
export function parseRegistryPrefix(value: string): RegistryPrefix {
  const prefix = value.trim().replace(/\/+$/, '').replace(/^https?:\/\//, '');
  if (!PREFIX.test(prefix)) throw new RegistryError('REGISTRY_INVALID_PREFIX', 'Registry must look like ghcr.io/owner/name');
  const slash = prefix.indexOf('/');
  const host = slash === -1 ? prefix : prefix.slice(0, slash);
  const namespace = slash === -1 ? '' : prefix.slice(slash + 1);
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] as string);
  const scheme = isLoopback(hostname) ? 'http' : 'https';
  return { host, hostname, namespace, scheme, baseUrl: `${scheme}://${host}` };
}
