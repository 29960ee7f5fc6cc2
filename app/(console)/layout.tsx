import type { ReactNode } from 'react';
import { ConsoleShell } from '@/components/shell/console-shell';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { listEnvironments } from '@/server/services/environments';
import { Providers } from '../providers';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const caller = await requirePageCaller();
  // The shell's switcher and header: every environment's id, name, colour and production mark
  // (nothing of its endpoint). The page itself picks the one its ?env= names.
  const environments = listEnvironments(runtime(), caller).map(({ id, name, colour, kind, production }) => ({ id, name, colour, kind, production }));
  return (
    <Providers>
      <ConsoleShell user={caller.user} environments={environments}>
        {children}
      </ConsoleShell>
    </Providers>
  );
}
