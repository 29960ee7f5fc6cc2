// Docker's IPAM config does not always name a network's gateway: on a fresh machine with Debian's
// docker.io 20.10 the default bridge held its subnet alone. The gateway Docker gives a bridge is
// then its pool's first host address (libnetwork's default), which is what this answers.

/** The first host address of an IPv4 subnet (`172.17.0.0/16` → `172.17.0.1`), or null for anything else. */
export function firstHostAddress(subnet: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 1 || bits > 30) return null;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  const first = ((address & mask) >>> 0) + 1;
  return [24, 16, 8, 0].map((shift) => (first >>> shift) & 255).join('.');
}
