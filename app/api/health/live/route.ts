export const dynamic = 'force-dynamic';

// Open on purpose: says only that the process answers.
export function GET() {
  return Response.json({ status: 'ok' });
}
