import type { ReactNode } from 'react';
import type { SessionUser } from '@/lib/dto/user';
import { Badge } from '@/components/ui/badge';
import { NavLinks } from './nav-links';
import { SignOutButton } from './sign-out-button';

export function ConsoleShell({ user, children }: { user: SessionUser; children: ReactNode }) {
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-56 shrink-0 flex-col border-r border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <p className="mb-6 px-3 text-sm font-semibold tracking-wide text-indigo-600 dark:text-indigo-400">Tale Console</p>
        <NavLinks />
        <div className="mt-auto space-y-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <div className="px-3 text-sm">
            <p className="font-medium" data-testid="signed-in-user">
              {user.name}
            </p>
            <p className="truncate text-xs text-zinc-500">{user.email}</p>
            <Badge>{user.role}</Badge>
          </div>
          <a href="/two-factor" className="block rounded-md px-3 py-2 text-sm text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
            Account & security
          </a>
          <SignOutButton />
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-8">{children}</main>
    </div>
  );
}
