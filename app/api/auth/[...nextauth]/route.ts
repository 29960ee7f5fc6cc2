import NextAuth from 'next-auth';
import { authOptions } from '@/server/auth/options';

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so that nothing reads configuration while Next builds.
async function handler(req: Request, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, authOptions()) as Promise<Response>;
}

export { handler as GET, handler as POST };
