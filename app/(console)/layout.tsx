import type { ReactNode } from 'react';
import { ConsoleShell } from '@/components/shell/console-shell';
import { requirePageUser } from '@/server/auth/session';
import { Providers } from '../providers';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <Providers>
      <ConsoleShell user={user}>{children}</ConsoleShell>
    </Providers>
  );
}
