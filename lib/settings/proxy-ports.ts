import { z } from 'zod';

// The proxy's published ports, as the Settings form edits them. Compose's short syntax
// `[bind:]host:container`; the console writes them under `ports: !override` so they replace the
// base file's 80 and 443 instead of adding to them.

/** '' publishes on every address (Docker's default); 127.0.0.1 only to this host, for a proxy behind another proxy. */
export const PORT_BINDS = ['', '127.0.0.1', '0.0.0.0', '::'] as const;
export type PortBind = (typeof PORT_BINDS)[number];

export type ProxyPorts = { bind: PortBind; http: number; https: number };

export const DEFAULT_PROXY_PORTS: ProxyPorts = { bind: '', http: 80, https: 443 };

const portSchema = z.coerce
  .number({ error: 'Must be a port number' })
  .int('Must be a whole number')
  .min(1, 'Must be between 1 and 65535')
  .max(65535, 'Must be between 1 and 65535');

export const proxyPortsSchema = z
  .strictObject({
    bind: z.enum(PORT_BINDS, { error: 'Bind to every address, 127.0.0.1, 0.0.0.0 or ::' }),
    http: portSchema,
    https: portSchema,
    baseHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'Unknown file version')
      .optional(),
  })
  .refine((p) => p.http !== p.https, { path: ['https'], error: 'HTTP and HTTPS need different ports' });
export type ProxyPortsInput = z.infer<typeof proxyPortsSchema>;

export function isDefaultPorts(p: ProxyPorts): boolean {
  return p.bind === DEFAULT_PROXY_PORTS.bind && p.http === DEFAULT_PROXY_PORTS.http && p.https === DEFAULT_PROXY_PORTS.https;
}

/** `[::]` is bracketed in compose's short syntax: the colons would otherwise read as separators. */
export function portEntry(bind: PortBind, host: number, container: 80 | 443): string {
  const ip = bind === '::' ? '[::]' : bind;
  return `${ip ? `${ip}:` : ''}${host}:${container}`;
}

/**
 * Where an upstream proxy on this host reaches Tale's port 80: the loopback address when the ports
 * are bound to it, else a name to replace.
 */
export function upstreamAddress(p: ProxyPorts): string {
  return p.bind === '127.0.0.1' ? `127.0.0.1:${p.http}` : `tale-server:${p.http}`;
}
