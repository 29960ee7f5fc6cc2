import { normaliseIp, REMOTE_HEADER } from '../auth/client-ip';

// The security headers of every dynamic response, set by proxy.ts. Pure, so the policy is unit
// tested without a server. Static assets (/_next/static) get the baseline from next.config.ts.

type HeaderSource = { get(name: string): string | null };

/**
 * Whether the browser reached us over https: the configured PUBLIC_URL says so, or a trusted
 * proxy (the connection's own peer, never a client-set header) says it terminated TLS.
 */
export function servedOverHttps(headers: HeaderSource, publicUrl: string | undefined, trustedProxies: readonly string[]): boolean {
  if (publicUrl?.startsWith('https://')) return true;
  const peer = normaliseIp(headers.get(REMOTE_HEADER) ?? '');
  if (!peer || !trustedProxies.map(normaliseIp).includes(peer)) return false;
  // The nearest proxy's word is the last one in the list.
  const proto = (headers.get('x-forwarded-proto') ?? '').split(',').pop()?.trim().toLowerCase();
  return proto === 'https';
}

/** 16 random bytes, base64: unguessable per response, as CSP nonces must be. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

export function pageCsp(nonce: string, opts: { https: boolean; dev: boolean }): string {
  return [
    "default-src 'self'",
    // Next puts the nonce on its own scripts; 'strict-dynamic' lets them load the page chunks.
    // 'self' is only the fallback for browsers without CSP 3 (they ignore it otherwise).
    // React's development build needs eval for its error overlay; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // style="" attributes cannot run script, but the server-rendered log viewer positions its
    // virtual rows with them (@tanstack/react-virtual) and React emits them for every `style`
    // prop; a nonce cannot cover attributes, so only attributes are let through, not <style>.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // fetch, server actions, next-auth and the SSE streams all talk to our own origin.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** JSON and event streams are never documents worth running anything in. */
export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** One year, as HSTS preload lists expect; sent only over https (browsers ignore it over http anyway). */
export const HSTS = 'max-age=31536000; includeSubDomains';
