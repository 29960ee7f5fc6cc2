import { NextResponse, type NextRequest } from 'next/server';
import { sameOriginAction } from '@/server/auth/origin-check';
import { processEnv } from '@/server/env';
import { API_CSP, HSTS, newNonce, pageCsp, servedOverHttps } from '@/server/http/security-headers';

// Next 16's request proxy (formerly middleware): a fresh CSP nonce for every page render, and the
// headers that depend on the request (HSTS only over https). Next reads the nonce from the request's
// Content-Security-Policy header and puts it on the scripts it renders.

/** Next's own limit for server action bodies (serverActions.bodySizeLimit, 1 MB by default). */
const ACTION_BODY_LIMIT = 1024 * 1024;

/**
 * Server actions arrive as a POST with the Next-Action header from the console's own scripts, or
 * as a form posted without JavaScript (Next runs those by content type), i.e. any POST outside
 * /api/. Actions carry the session cookie the browser attaches to any request, so each must name
 * the console's own origin, or nothing runs, including the actions that need no session (setup).
 * Route handlers under /api/ judge their own callers (a bearer token needs no Origin).
 */
function refuseForeignAction(request: NextRequest, publicUrl: string | undefined): NextResponse | null {
  if (request.method !== 'POST') return null;
  if (request.nextUrl.pathname.startsWith('/api/') && !request.headers.has('next-action')) return null;
  if (sameOriginAction({ origin: request.headers.get('origin'), host: request.headers.get('host'), publicUrl })) return null;
  return new NextResponse('Cross-site request refused: server actions must come from the console’s own pages.', {
    status: 403,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

export function proxy(request: NextRequest) {
  const env = processEnv();
  const foreign = refuseForeignAction(request, env.publicUrl);
  if (foreign) return foreign;
  // Next refuses a larger action body only while reading it, and answers with whatever status the
  // page renders (500 on some); refusing by its declared length here gives a plain 413 instead.
  if (request.method === 'POST' && request.headers.has('next-action') && Number(request.headers.get('content-length') ?? 0) > ACTION_BODY_LIMIT) {
    return new NextResponse('Request body too large: forms accept at most 1 MB.', { status: 413, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
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
