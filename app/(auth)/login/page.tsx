import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { getSessionUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { isSetupNeeded } from '@/server/services/setup';

export const metadata = { title: 'Sign in' };

export default async function LoginPage() {
  if (isSetupNeeded(runtime())) redirect('/setup');
  if (await getSessionUser()) redirect('/');
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
      <SignInForm />
    </>
  );
}
