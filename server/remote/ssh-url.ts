import { z } from 'zod';
import { RemoteError } from './remote-error';

export type SshTarget = { user: string; host: string; port: number };

// A POSIX login name (useradd's default pattern, plus upper case and dots): no '@', ':' or
// whitespace, so it can never carry options or a second host.
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
// A DNS name or IPv4 address; IPv6 literals come bracketed and are checked by the URL parser.
const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const urlInput = z.string().trim().min(1).max(300);

/** `ssh://user@host[:port]` (docs/environments.md#endpoints); nothing else: no password, path, query or fragment. */
export function parseSshUrl(url: string): SshTarget {
  const invalid = (why: string) => new RemoteError('INVALID_ENDPOINT', `Not an SSH endpoint (ssh://user@host[:port]): ${why}.`);
  const raw = urlInput.safeParse(url);
  if (!raw.success) throw invalid('empty or too long');
  if (!/^ssh:\/\//i.test(raw.data)) throw invalid('it must start with ssh://');
  let u: URL;
  try {
    u = new URL(raw.data);
  } catch {
    throw invalid('it does not parse as a URL');
  }
  if (u.password) throw invalid('a password does not belong in the URL (keys only)');
  if (!u.username) throw invalid('the user is missing');
  const user = decodeURIComponent(u.username);
  if (!USER.test(user)) throw invalid('the user name has characters a login name cannot have');
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) throw invalid('no path, query or fragment');
  let host = u.hostname.toLowerCase(); // non-special schemes keep case; DNS ignores it
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (!HOST.test(host)) throw invalid('the host is not a host name or an IP address');
  if (!host) throw invalid('the host is missing');
  // URL drops the default port of special schemes only; for ssh: an explicit ':22' stays as is.
  const port = u.port === '' ? 22 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('the port is out of range');
  return { user, host, port };
}

/** The canonical form, for display and storage. */
export function formatSshUrl(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user}@${host}${t.port === 22 ? '' : `:${t.port}`}`;
}
