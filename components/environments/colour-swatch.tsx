import type { EnvironmentColour } from '@/lib/schemas/environments';
import { cx } from '@/components/ui/cx';

// The environment's colour as a dot beside its name; the name always says it too (colour is never the only cue).
const DOT: Record<EnvironmentColour, string> = {
  slate: 'bg-slate-500',
  blue: 'bg-blue-600',
  green: 'bg-emerald-600',
  amber: 'bg-amber-500',
  red: 'bg-red-600',
  violet: 'bg-violet-600',
};

export function ColourSwatch({ colour }: { colour: EnvironmentColour }) {
  return <span aria-hidden="true" className={cx('inline-block h-3 w-3 shrink-0 rounded-full', DOT[colour])} />;
}
