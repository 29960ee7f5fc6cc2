import type { BackupGateDto } from '@/lib/dto/operations';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { formatBytes } from '@/lib/format-usage';

/** The reason the server asks for, trimmed (lib/schemas/operations.ts skipBackupSchema). */
export const SKIP_REASON_MIN = 10;

type Props = { gate: BackupGateDto; reason: string; onReason: (v: string) => void };

/**
 * The backup gate in the deploy dialog (docs/backups.md#the-backup-gate): what the backup taken
 * first will cost, and the disclosure that skips it for this one operation with a reason.
 */
export function BackupGateNote({ gate, reason, onReason }: Props) {
  if (!gate.required) return null;
  const short = reason.trim().length > 0 && reason.trim().length < SKIP_REASON_MIN;
  return (
    <div className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800" data-testid="backup-gate">
      {gate.repository === 'none' ? (
        <p className="text-amber-800 dark:text-amber-300">
          A backup is taken before every version change, but none has been taken yet: an admin must take the first one on the Backups page
          (it creates the repository and shows its password once). Until then, skip it below with a reason.
        </p>
      ) : (
        <p>
          A backup is taken first
          {gate.last ? ` (about ${formatBytes(gate.last.bytes)}, last one took ${(gate.last.durationMs / 1000).toFixed(0)} s)` : ''}. If it fails, nothing is
          changed.
        </p>
      )}
      <details open={gate.repository === 'none' || undefined}>
        <summary className="cursor-pointer">Skip the backup</summary>
        <div className="pt-2">
          <FormField
            id="skip-backup-reason"
            label="Why this one goes without a backup"
            errors={short ? [`At least ${SKIP_REASON_MIN} characters`] : undefined}
            hint="Recorded in the audit trail and the timeline. Leave empty to take the backup."
          >
            <Input value={reason} maxLength={500} onChange={(e) => onReason(e.target.value)} />
          </FormField>
        </div>
      </details>
    </div>
  );
}

/** Whether the dialog may confirm: a started reason must be long enough, and with no repository one is needed. */
export function gateAllowsConfirm(gate: BackupGateDto, reason: string): boolean {
  const n = reason.trim().length;
  if (!gate.required) return true;
  if (n > 0 && n < SKIP_REASON_MIN) return false;
  return gate.repository === 'ready' || n >= SKIP_REASON_MIN;
}
