import { redirect } from 'next/navigation';
import { SetupForm } from '@/components/auth/setup-form';
import { runtime } from '@/server/runtime';
import { isSetupNeeded } from '@/server/services/setup';
import { setupAction } from './actions';

export const metadata = { title: 'Set up' };

export default function SetupPage() {
  if (!isSetupNeeded(runtime())) redirect('/login');
  return (
    <>
      <h1 className="text-xl font-semibold">Create the first admin</h1>
      <p className="mb-4 mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        The one-time setup token is printed in the console&apos;s log at start and stored in the{' '}
        <code className="font-mono">setup-token</code> file of its data directory.
      </p>
      <SetupForm action={setupAction} />
    </>
  );
}
