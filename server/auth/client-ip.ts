// The address a request came from. scripts/remote-address.cjs stamps the socket's address on
// every request; X-Forwarded-For is believed only hop by hop from proxies the operator trusts.

export const REMOTE_HEADER = 'x-tale-remote-addr';

const normalise = (ip: string) => ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export function clientIp(headers: { get(name: string): string | null }, trustedProxies: readonly string[]): string {
  let ip = normalise(headers.get(REMOTE_HEADER) ?? '');
  const trusted = new Set(trustedProxies.map(normalise));
  const forwarded = (headers.get('x-forwarded-for') ?? '').split(',').map(normalise).filter(Boolean);
  // Walk back through the chain while the hop that handed us the request is a trusted proxy.
  while (trusted.has(ip) && forwarded.length) ip = forwarded.pop()!;
  return ip || 'unknown';
}
