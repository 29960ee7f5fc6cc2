import { openApiDocument } from '@/server/services/openapi';

// Public on purpose: the document describes routes, never data, and every route it lists checks
// its caller itself. Clients and code generators fetch it before they hold a token.
export const dynamic = 'force-static';

export function GET() {
  return Response.json(openApiDocument(), { headers: { 'Cache-Control': 'public, max-age=300' } });
}
