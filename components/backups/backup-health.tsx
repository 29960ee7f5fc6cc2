'use client';
import Link from 'next/link';
import type { BackupHealthDto } from '@/lib/dto/backups';
import { formatUptime } from '@/lib/format-usage';
import { useEnvironment } from '@/components/shell/environment-context';

const age = (iso: string | null, now: Date) => (iso ? `${formatUptime(iso, now)} ago` : 'never');

/**
 * The overview's backup line: "last backup 3h 5m ago · last proven restorable 3h 5m ago", and the
 * newest restore drill as an error when it failed (docs/backups.md#restore-drill).
 */
export function BackupHealth({ health, now }: { health: BackupHealthDto; now: Date }) {
  // A client component only to read the page's ?env= for its links (useEnvironment, components/shell/environment-context.tsx).
  const { href } = useEnvironment();
  return (
    <div className="space-y-1 text-sm" data-testid="backup-health">
      <p className="text-zinc-700 dark:text-zinc-300">
        <Link href={href('/backups')} className="underline">
          Last backup
        </Link>{' '}
        <span data-testid="last-backup">{age(health.lastBackupAt, now)}</span> · last proven restorable{' '}
        <span data-testid="last-proven">{age(health.lastProvenAt, now)}</span>
      </p>
      {health.failedDrill && (
        <p role="alert" data-testid="drill-failed" className="text-red-600">
          The last restore drill failed:{' '}
          <Link href={href(`/deployments/${health.failedDrill.operationId}`)} className="underline">
            {health.failedDrill.error?.message ?? 'see the operation'}
          </Link>
        </p>
      )}
    </div>
  );
}
