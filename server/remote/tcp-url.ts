import { z } from 'zod';
import { RemoteError } from './remote-error';

export type TcpTarget = { host: string; port: number };

/** Docker's port for TLS (`dockerd --tlsverify -H tcp://0.0.0.0:2376`), taken when the URL names none. */
export const DOCKER_TLS_PORT = 2376;

// A DNS name or IPv4 address; IPv6 literals come bracketed and are checked by the URL parser.
const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const urlInput = z.string().trim().min(1).max(300);

/**
 * `tcp://host[:port]` (docs/environments.md#endpoints): a Docker Engine listening with
 * `--tlsverify`. Nothing else: no user or password (the client certificate is the credential), no
 * path, query or fragment, so the text can never carry more than where to connect.
 */
export function parseTcpUrl(url: string): TcpTarget {
  const invalid = (why: string) => new RemoteError('INVALID_ENDPOINT', `Not a TCP endpoint (tcp://host[:port]): ${why}.`);
  const raw = urlInput.safeParse(url);
  if (!raw.success) throw invalid('empty or too long');
  if (!/^tcp:\/\//i.test(raw.data)) throw invalid('it must start with tcp://');
  let u: URL;
  try {
    u = new URL(raw.data);
  } catch {
    throw invalid('it does not parse as a URL');
  }
  if (u.username || u.password) throw invalid('no user or password in the URL (the client certificate is the credential)');
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) throw invalid('no path, query or fragment');
  // `tcp://host/` parses with pathname '/', and so does `tcp://host`; a trailing '/' is harmless
  // but `tcp://host/x` is refused above.
  let host = u.hostname.toLowerCase(); // non-special schemes keep case; DNS ignores it
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (!HOST.test(host)) throw invalid('the host is not a host name or an IP address');
  if (!host) throw invalid('the host is missing');
  const port = u.port === '' ? DOCKER_TLS_PORT : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('the port is out of range');
  return { host, port };
}

/** The canonical form, for display and storage: the port always written. */
export function formatTcpUrl(t: TcpTarget): string {
  return `tcp://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}
