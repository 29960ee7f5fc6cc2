'use client';
import { useEffect, useId, useRef, useState } from 'react';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { ColourSwatch } from '@/components/environments/colour-swatch';
import { cx } from '@/components/ui/cx';
import { switchHref } from '@/lib/env-href';
import type { EnvironmentColour } from '@/lib/schemas/environments';
import { useEnvironment, type ShellEnvironment } from './environment-context';

// The top of every console page: which environment this page acts on (name and colour, the name
// always in words), a production band nobody can overlook, and the switcher.

// A stripe in the environment's colour down the bar's edge: seen from the corner of the eye, the
// name says it for everyone else.
const EDGE: Record<EnvironmentColour, string> = {
  slate: 'border-slate-500',
  blue: 'border-blue-600',
  green: 'border-emerald-600',
  amber: 'border-amber-500',
  red: 'border-red-600',
  violet: 'border-violet-600',
};

/**
 * A disclosure of links, one per environment, each to the same page there: links rather than a
 * select, so arrow keys never navigate by accident, each target can be opened in a new tab, and
 * Tab, Enter and Escape are all the keyboard needs.
 */
function Switcher({ current, environments }: { current: string; environments: ShellEnvironment[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const pathname = usePathname();
  const search = useSearchParams().toString();

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  // A followed link (the same page, another ?env=) closes the list.
  useEffect(() => setOpen(false), [pathname, search]);

  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800"
      >
        Switch environment
      </button>
      <ul
        id={listId}
        hidden={!open}
        aria-label="Environments"
        className="absolute right-0 z-40 mt-1 min-w-56 rounded-md border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
      >
        {environments.map((e) => (
          <li key={e.id}>
            <Link
              href={switchHref(pathname, search, e.id)}
              aria-current={e.id === current ? 'true' : undefined}
              onClick={() => setOpen(false)}
              className={cx(
                'flex items-center gap-2 rounded px-3 py-2 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800',
                e.id === current && 'font-semibold',
              )}
            >
              <ColourSwatch colour={e.colour} />
              {e.name}
              {e.production && <span className="ml-auto text-xs font-bold uppercase text-red-700 dark:text-red-400">production</span>}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function EnvironmentBar() {
  const { id, environment, environments } = useEnvironment();
  if (!environment) {
    // The page itself says what is wrong (app/(console)/error.tsx); the bar still offers the way out.
    return (
      <div data-testid="environment-bar" data-environment={id} className="mb-6 flex flex-wrap items-center justify-between gap-3 border-l-4 border-red-600 py-1 pl-3">
        <p className="text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">Environment</span> <strong>unknown</strong>
        </p>
        <Switcher current={id} environments={environments} />
      </div>
    );
  }
  return (
    <div data-testid="environment-bar" data-environment={environment.id} data-production={environment.production} className="mb-6 space-y-2">
      {environment.production && (
        // Words, not only red: the band says what it is to a screen reader and in any colour scheme.
        <p data-testid="production-badge" className="rounded-md bg-red-700 px-4 py-2 text-sm font-bold uppercase tracking-widest text-white">
          Production <span className="font-medium normal-case tracking-normal">— {environment.name} serves real users: every action here is live.</span>
        </p>
      )}
      <div className={cx('flex flex-wrap items-center justify-between gap-3 border-l-4 py-1 pl-3', EDGE[environment.colour])}>
        <p className="flex items-center gap-2 text-sm">
          <span className="text-zinc-600 dark:text-zinc-400">Environment</span>
          <ColourSwatch colour={environment.colour} />
          <strong data-testid="environment-name">{environment.name}</strong>
        </p>
        {environments.length > 1 && <Switcher current={environment.id} environments={environments} />}
      </div>
    </div>
  );
}
