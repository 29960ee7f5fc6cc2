'use client';
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { useSearchParams } from 'next/navigation';
import type { ShellEnvironmentDto } from '@/lib/dto/environments';
import { withEnv } from '@/lib/env-href';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';

// The page's environment on the client. The URL is the truth (`?env=<id>`, absent = local), so a
// shared link opens the same environment; the layout passes the list for the name, colour and
// production mark. The layout cannot read the search itself (Next gives layouts no searchParams).

export type ShellEnvironment = ShellEnvironmentDto;

const EnvironmentsContext = createContext<ShellEnvironment[]>([]);

export function EnvironmentProvider({ environments, children }: { environments: ShellEnvironment[]; children: ReactNode }) {
  return <EnvironmentsContext.Provider value={environments}>{children}</EnvironmentsContext.Provider>;
}

export type CurrentEnvironment = {
  /** The id the URL names ('local' when it names none). */
  id: string;
  /** Its record, or null when no environment has that id (removed, mistyped): the page then shows why. */
  environment: ShellEnvironment | null;
  environments: ShellEnvironment[];
  /** `href` in this environment: a link, a fetch or an EventSource URL (lib/env-href.ts). */
  href: (href: string) => string;
};

export function useEnvironment(): CurrentEnvironment {
  const environments = useContext(EnvironmentsContext);
  const id = useSearchParams().get('env') || LOCAL_ENVIRONMENT_ID;
  const href = useCallback((h: string) => withEnv(h, id), [id]);
  return { id, environment: environments.find((e) => e.id === id) ?? null, environments, href };
}
