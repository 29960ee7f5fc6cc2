import { LOCAL_ENVIRONMENT_ID } from './schemas/environments';

// Links and client navigations within an environment's pages carry `?env=<id>` so a shared link or
// a redirect after an operation starts stays in that environment. A stopgap until the shell's client
// environment context (components/shell/environment-context.tsx) lands; the lead unifies the two.

/** `path` (which may hold a query or a #fragment) in environment `env`; the local one (or none) keeps the bare path. */
export function environmentHref(path: string, env: string | null | undefined): string {
  if (!env || env === LOCAL_ENVIRONMENT_ID) return path;
  const hashAt = path.indexOf('#');
  const base = hashAt === -1 ? path : path.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : path.slice(hashAt);
  const [pathname, query = ''] = base.split('?', 2);
  const params = new URLSearchParams(query);
  params.set('env', env);
  return `${pathname}?${params.toString()}${hash}`;
}
