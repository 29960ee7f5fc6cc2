import 'server-only';
import type { NextAuthOptions, Session } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { signInSchema } from '@/lib/schemas/auth';
import { getEnv } from '../env';
import { getDb } from '../db/database';
import { findUserByEmail } from '../db/users';
import { burnPasswordCheck, verifyPassword } from './password';

async function authorize(raw: unknown) {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const user = findUserByEmail(getDb(), email);
  if (!user) {
    await burnPasswordCheck(password);
    return null;
  }
  const valid = await verifyPassword(user.passwordHash, password);
  // A disabled account gets the same generic refusal as a wrong password.
  if (!valid || user.disabledAt) return null;
  return { id: user.id, email: user.email, name: user.name };
}

/** Built per call so nothing reads configuration while Next is building. */
export function authOptions(): NextAuthOptions {
  const env = getEnv();
  return {
    secret: env.sessionSecret,
    session: { strategy: 'jwt', maxAge: env.sessionMaxAgeSeconds },
    jwt: { maxAge: env.sessionMaxAgeSeconds },
    useSecureCookies: env.secureCookies,
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { type: 'email' }, password: { type: 'password' } },
        authorize: (credentials) => authorize({ email: credentials?.email ?? '', password: credentials?.password ?? '' }),
      }),
    ],
    callbacks: {
      // Only the user id travels in the token; role and status are read fresh on every request.
      session: ({ session, token }) => ({ expires: session.expires, user: { id: token.sub } }) as Session,
    },
  };
}
