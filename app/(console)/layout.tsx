import type { ReactNode } from 'react';
import { ConsoleShell } from '@/components/shell/console-shell';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { shellEnvironments } from '@/server/services/environments';
import { Providers } from '../providers';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const caller = await requirePageCaller();
  // The shell's switcher, header and role badge: every environment's id, name, colour, production
  // mark and the user's role there (nothing of its endpoint). The page picks the one its ?env= names.
  const environments = shellEnvironments(runtime(), caller);
  return (
    <Providers>
      <ConsoleShell user={caller.user} environments={environments}>
        {children}
      </ConsoleShell>
    </Providers>
  );
}
