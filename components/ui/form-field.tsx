import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';

type Props = { id: string; label: string; errors?: string[]; hint?: ReactNode; children: ReactElement<Record<string, unknown>> };

/** Label, control and its error text, wired for screen readers. */
export function FormField({ id, label, errors, hint, children }: Props) {
  const errorId = `${id}-error`;
  const invalid = Boolean(errors?.length);
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-invalid': invalid, 'aria-describedby': invalid ? errorId : undefined })
    : children;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      {control}
      {hint && !invalid && <p className="text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
      {invalid && (
        <p id={errorId} role="alert" className="text-xs text-red-600 dark:text-red-400">
          {errors!.join(' ')}
        </p>
      )}
    </div>
  );
}
