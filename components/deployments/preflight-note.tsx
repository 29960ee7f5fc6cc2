import type { PreflightCheckDto, PreflightDto, PreflightStatus } from '@/lib/dto/preflight';
import { Badge } from '@/components/ui/badge';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';

/** The reason the server asks for, trimmed (lib/schemas/operations.ts overridePreflightSchema). */
export const OVERRIDE_REASON_MIN = 10;

const TONE: Record<PreflightStatus, 'good' | 'warn' | 'bad' | 'neutral'> = { pass: 'good', warn: 'warn', fail: 'bad', unknown: 'neutral' };

/** Each check as one line: its status, what was found and, unless it passed, the fix. */
export function PreflightList({ checks }: { checks: PreflightCheckDto[] }) {
  return (
    <ul className="space-y-1.5 text-sm">
      {checks.map((c) => (
        <li key={c.id} data-testid={`preflight-${c.id}`} data-status={c.status}>
          <Badge tone={TONE[c.status]}>{c.status}</Badge> <span className="font-medium">{c.title}</span>: {c.summary}
          {c.fix && <span className="block pl-1 text-zinc-600 dark:text-zinc-400">Fix: {c.fix}</span>}
        </li>
      ))}
    </ul>
  );
}

type Props = { preflight: PreflightDto; reason: string; onReason: (v: string) => void };

/**
 * The preflight at the top of the deploy dialog (docs/preflight.md): the checks that did not pass,
 * and while one fails, the field that overrides it for this one operation with a reason.
 */
export function PreflightNote({ preflight, reason, onReason }: Props) {
  const notPassed = preflight.checks.filter((c) => c.status !== 'pass');
  if (notPassed.length === 0) return null;
  const failing = preflight.failing.length > 0;
  const short = reason.trim().length > 0 && reason.trim().length < OVERRIDE_REASON_MIN;
  return (
    <div
      data-testid="preflight-note"
      className={`space-y-2 rounded-md border p-3 text-sm ${failing ? 'border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950' : 'border-zinc-200 dark:border-zinc-800'}`}
    >
      <p className="font-semibold">{failing ? 'The preflight failed: this does not start unless you override it.' : 'Preflight'}</p>
      <PreflightList checks={notPassed} />
      {failing && (
        <FormField
          id="override-preflight-reason"
          label="Override with a reason"
          errors={short ? [`At least ${OVERRIDE_REASON_MIN} characters`] : undefined}
          hint="Recorded in the audit trail and the timeline."
        >
          <Input value={reason} maxLength={500} onChange={(e) => onReason(e.target.value)} />
        </FormField>
      )}
    </div>
  );
}

/** Whether the dialog may confirm: no failing check, or an override reason long enough. */
export function preflightAllowsConfirm(preflight: PreflightDto | null, reason: string): boolean {
  return !preflight || preflight.failing.length === 0 || reason.trim().length >= OVERRIDE_REASON_MIN;
}

/** The override the start sends: only while a check fails. */
export function preflightOverride(preflight: PreflightDto | null, reason: string): { reason: string } | undefined {
  return preflight && preflight.failing.length > 0 && reason.trim() ? { reason: reason.trim() } : undefined;
}
