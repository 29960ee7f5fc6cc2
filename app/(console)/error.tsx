'use client';
import { startTransition } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEnvironment } from '@/components/shell/environment-context';
import { Button } from '@/components/ui/button';

// A console page that failed to render. The server's error text does not reach the browser in a
// production build (only a digest does), so the commonest cause, a ?env= naming no environment
// (requirePageContext's ENVIRONMENT_NOT_FOUND), is recognised from the URL and the shell's list.
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { id, environment } = useEnvironment();
  const router = useRouter();
  if (!environment) {
    return (
      <section aria-labelledby="env-missing" className="max-w-xl space-y-3" data-testid="environment-not-found">
        <h1 id="env-missing" className="text-2xl font-semibold">
          No such environment
        </h1>
        <p className="text-sm">
          This link names the environment &ldquo;{id}&rdquo;, which this console does not have: it may have been removed, or the link is mistyped.
        </p>
        <p className="text-sm">
          <Link className="font-medium text-indigo-700 underline dark:text-indigo-300" href="/">
            Open the Local environment
          </Link>{' '}
          or pick another environment on the <Link className="font-medium text-indigo-700 underline dark:text-indigo-300" href="/fleet">Fleet</Link> page.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-failed" className="max-w-xl space-y-3">
      <h1 id="page-failed" className="text-2xl font-semibold">
        This page could not be shown
      </h1>
      <p className="text-sm">
        Something failed while reading {environment.name} for this page (an unreachable host is a common cause). The server log has the details
        {error.digest ? (
          <>
            {' '}
            under the reference <code>{error.digest}</code>
          </>
        ) : null}
        .
      </p>
      {/* The failure was the server's: render the page there again, then clear the boundary. */}
      <Button variant="secondary" onClick={() =>
          startTransition(() => {
            router.refresh();
            reset();
          })
        }>
        Try again
      </Button>
    </section>
  );
}
