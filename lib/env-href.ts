import { LOCAL_ENVIRONMENT_ID } from './schemas/environments';

// URLs carry the environment (`?env=<id>`) so a link can be shared and lands where it was taken
// (docs/environments.md#the-shell). The local environment adds nothing: the URLs from before
// environments existed keep working and keep meaning the console's own host.

/** `href` (a path with an optional query and #fragment) with `env=<id>` set, or without `env` for the local one. */
export function withEnv(href: string, env: string): string {
  const hashAt = href.indexOf('#');
  const hash = hashAt >= 0 ? href.slice(hashAt) : '';
  const beforeHash = hashAt >= 0 ? href.slice(0, hashAt) : href;
  const queryAt = beforeHash.indexOf('?');
  const path = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const params = new URLSearchParams(queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '');
  if (env === LOCAL_ENVIRONMENT_ID) params.delete('env');
  else params.set('env', env);
  const query = params.toString();
  return `${path}${query ? `?${query}` : ''}${hash}`;
}

/**
 * Where the switcher goes from the page at `pathname` + `search`: the same page in environment `env`,
 * its other parameters kept. A page of one operation (`/deployments/<id>`) belongs to the environment
 * it ran on, so it goes to that environment's deployments instead.
 */
export function switchHref(pathname: string, search: string, env: string): string {
  const page = /^\/deployments\/[^/]+/.test(pathname) ? '/deployments' : pathname;
  const query = pathname === page ? search.replace(/^\?/, '') : '';
  return withEnv(query ? `${page}?${query}` : page, env);
}
