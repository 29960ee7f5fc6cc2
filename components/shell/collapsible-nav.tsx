'use client';
import { useEffect, useId, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { cx } from '@/components/ui/cx';

/**
 * The console's sidebar. Below the md breakpoint (phones) it folds into a bar with a Menu button,
 * so the page gets the whole width; the button opens the panel beneath it, Escape closes it and
 * gives the focus back to the button, and following a link closes it.
 */
export function CollapsibleNav({ title, children }: { title: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    // On the document, not the panel: Escape closes the menu wherever the focus is.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  // A link followed from the open menu (also one to the page already shown) closes it.
  const closeOnLink = (e: MouseEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest('a')) setOpen(false);
  };

  return (
    <aside aria-label="Console" className="shrink-0 border-b border-zinc-200 bg-white md:w-56 md:border-b-0 md:border-r dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex items-center justify-between gap-3 px-4 py-2 md:hidden">
        <p className="text-sm font-semibold tracking-wide text-indigo-700 dark:text-indigo-300">{title}</p>
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="inline-flex items-center gap-2 rounded-md border border-zinc-300 px-3 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="2">
            {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 5h14M3 10h14M3 15h14" />}
          </svg>
          Menu
        </button>
      </div>
      <div id={panelId} onClick={closeOnLink} className={cx(open ? 'flex' : 'hidden', 'flex-col p-4 md:sticky md:top-0 md:flex md:min-h-screen')}>
        <p className="mb-6 hidden px-3 text-sm font-semibold tracking-wide text-indigo-700 md:block dark:text-indigo-300">{title}</p>
        {children}
      </div>
    </aside>
  );
}
