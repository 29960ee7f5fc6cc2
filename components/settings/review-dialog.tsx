'use client';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';

type Flow = { shown: unknown; busy: boolean; confirm: () => void; cancel: () => void };

/** The confirmation every settings form shows: the previewed change, then Save or Cancel. */
export function ReviewDialog({ flow, title, empty = false, children }: { flow: Flow; title: string; empty?: boolean; children: ReactNode }) {
  return (
    <Dialog
      open={flow.shown !== null}
      title={title}
      onClose={flow.cancel}
      footer={
        <>
          <Button variant="secondary" onClick={flow.cancel}>
            Cancel
          </Button>
          <Button onClick={flow.confirm} busy={flow.busy} disabled={empty}>
            Save
          </Button>
        </>
      }
    >
      {flow.shown !== null && children}
    </Dialog>
  );
}
