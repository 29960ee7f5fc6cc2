// The address a request came from. scripts/remote-address.cjs stamps the socket's address on
// every request; X-Forwarded-For is believed only hop by hop from proxies the operator trusts.

export const REMOTE_HEADER = 'x-tale-remote-addr';

/** An address as we compare them: trimmed, IPv4-mapped IPv6 written as plain IPv4. */
export const normaliseIp = (ip: string) => ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export function clientIp(headers: { get(name: string): string | null }, trustedProxies: readonly string[]): string {
  let ip = normaliseIp(headers.get(REMOTE_HEADER) ?? '');
  const trusted = new Set(trustedProxies.map(normaliseIp));
  const forwarded = (headers.get('x-forwarded-for') ?? '').split(',').map(normaliseIp).filter(Boolean);
  // Walk back through the chain while the hop that handed us the request is a trusted proxy.
  while (trusted.has(ip) && forwarded.length) ip = forwarded.pop()!;
  return ip || 'unknown';
}
