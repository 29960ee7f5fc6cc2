import type { ReactNode } from 'react';
import { cx } from './cx';

const TONES = {
  neutral: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  good: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300',
  warn: 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-300',
  bad: 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300',
} as const;

export function Badge({ tone = 'neutral', children }: { tone?: keyof typeof TONES; children: ReactNode }) {
  return <span className={cx('inline-flex rounded-full px-2 py-0.5 text-xs font-medium', TONES[tone])}>{children}</span>;
}
