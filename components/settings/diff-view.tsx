import type { EnvDiffEntry, LineDiff } from '@/lib/settings/env-diff';
import { cx } from '@/components/ui/cx';

/** The change a save will write, key by key; secrets show only that they change. */
export function EnvDiffView({ diff }: { diff: EnvDiffEntry[] }) {
  if (diff.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No change: the file already says this.</p>;
  return (
    <ul aria-label="Changes" className="space-y-1 font-mono text-xs">
      {diff.map((d) => (
        <li key={d.key} data-testid={`diff-${d.key}`}>
          <span className="font-semibold">{d.key}</span>{' '}
          {d.kind === 'added' && <span className="text-emerald-700 dark:text-emerald-400">added: {d.after}</span>}
          {d.kind === 'removed' && <span className="text-red-700 dark:text-red-400">removed (was {d.before})</span>}
          {d.kind === 'changed' && (
            <span>
              <span className="text-red-700 line-through dark:text-red-400">{d.before}</span> →{' '}
              <span className="text-emerald-700 dark:text-emerald-400">{d.after}</span>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

export function LineDiffView({ diff }: { diff: LineDiff }) {
  return (
    <pre tabIndex={0} aria-label="Changes" className="max-h-80 overflow-auto rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-950">
      {diff.map((l, i) => (
        <div
          key={i}
          className={cx(l.kind === 'added' && 'bg-emerald-100 dark:bg-emerald-900/40', l.kind === 'removed' && 'bg-red-100 dark:bg-red-900/40')}
        >
          {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
          {l.text}
        </div>
      ))}
    </pre>
  );
}
