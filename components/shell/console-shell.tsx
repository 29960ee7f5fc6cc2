import type { ReactNode } from 'react';
import type { SessionUser } from '@/lib/dto/user';
import { CollapsibleNav } from './collapsible-nav';
import { EnvironmentBar } from './environment-bar';
import { EnvironmentProvider, type ShellEnvironment } from './environment-context';
import { NavLinks } from './nav-links';
import { RoleBadge } from './role-badge';
import { SignOutButton } from './sign-out-button';

export function ConsoleShell({ user, environments, children }: { user: SessionUser; environments: ShellEnvironment[]; children: ReactNode }) {
  return (
    <EnvironmentProvider environments={environments}>
      <div className="min-h-screen md:flex">
        {/* The first stop of the Tab key: past the navigation, straight to the page. */}
        <a
          href="#main"
          className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 dark:bg-zinc-900 dark:text-indigo-300"
        >
          Skip to content
        </a>
        <CollapsibleNav title="Tale Console">
          <NavLinks />
          <div className="mt-6 space-y-2 border-t border-zinc-200 pt-4 md:mt-auto dark:border-zinc-800">
            <div className="px-3 text-sm">
              <p className="font-medium" data-testid="signed-in-user">
                {user.name}
              </p>
              <p className="truncate text-xs text-zinc-600 dark:text-zinc-400">{user.email}</p>
              <RoleBadge accountRole={user.role} />
            </div>
            <a href="/two-factor" className="block rounded-md px-3 py-2 text-sm text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
              Account & security
            </a>
            <SignOutButton />
          </div>
        </CollapsibleNav>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 sm:p-6 md:p-8">
          <EnvironmentBar />
          {children}
        </main>
      </div>
    </EnvironmentProvider>
  );
}
