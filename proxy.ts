import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/server/env';
import { API_CSP, HSTS, newNonce, pageCsp, servedOverHttps } from '@/server/http/security-headers';

// Next 16's request proxy (formerly middleware): a fresh CSP nonce for every page render, and the
// headers that depend on the request (HSTS only over https). Next reads the nonce from the request's
// Content-Security-Policy header and puts it on the scripts it renders.

export function proxy(request: NextRequest) {
  const env = getEnv();
  const https = servedOverHttps(request.headers, env.publicUrl, env.trustedProxies);
  const isApi = request.nextUrl.pathname.startsWith('/api/');
  const csp = isApi ? API_CSP : pageCsp(newNonce(), { https, dev: env.dev });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  if (https) response.headers.set('Strict-Transport-Security', HSTS);
  return response;
}

export const config = {
  // Static build output carries no documents; next.config.ts gives it the baseline headers.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
