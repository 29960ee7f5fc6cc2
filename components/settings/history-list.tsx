'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { HistoryEntryDto, RestoredDto } from '@/lib/dto/settings';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Cell, Table } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import type { SettingsAction } from './types';
import { formatTime } from '@/lib/format-time';
import { changeAction } from '@/lib/call-action';

/** Restoring writes .env or compose.override.yml, so only admins get the button. */
type Props = { history: HistoryEntryDto[]; isAdmin: boolean; restore: SettingsAction<RestoredDto> };

export function HistoryList({ history, isAdmin, restore }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [chosen, setChosen] = useState<HistoryEntryDto | null>(null);
  const [busy, start] = useTransition();
  if (history.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No earlier versions yet: every save keeps one.</p>;
  return (
    <>
      <Table head={isAdmin ? ['File', 'Replaced at', 'Size', ''] : ['File', 'Replaced at', 'Size']}>
        {history.map((h) => (
          <tr key={h.id}>
            <Cell>
              <code>{h.file}</code> {h.current && <Badge>same as now</Badge>}
            </Cell>
            <Cell>{formatTime(h.at)}</Cell>
            <Cell>{h.size} B</Cell>
            {isAdmin && (
              <Cell>
                <Button variant="secondary" disabled={busy} onClick={() => setChosen(h)}>
                  Restore
                </Button>
              </Cell>
            )}
          </tr>
        ))}
      </Table>
      <Dialog
        open={chosen !== null}
        title={`Restore ${chosen?.file ?? ''}?`}
        onClose={() => setChosen(null)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setChosen(null)}>
              Cancel
            </Button>
            <Button
              busy={busy}
              onClick={() =>
                start(async () => {
                  const res = await changeAction(() => restore({ id: chosen!.id }));
                  setChosen(null);
                  if (!res.ok) return toast(res.message, 'error');
                  toast(`${res.data.file} restored. Pending until the next deploy.`);
                  router.refresh();
                })
              }
            >
              Restore
            </Button>
          </>
        }
      >
        The file gets back its exact bytes from {chosen ? formatTime(chosen.at) : ''}. The version it replaces is kept here too.
      </Dialog>
    </>
  );
}
