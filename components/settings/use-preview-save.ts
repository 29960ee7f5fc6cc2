'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from '@/components/ui/use-action';
import { useToast } from '@/components/ui/toast';
import type { SettingsAction } from './types';

/**
 * Preview first, then save exactly what was previewed: the save carries the preview's baseHash, so
 * a file that changed in between is refused rather than overwritten.
 */
export function usePreviewSave<P extends { baseHash: string }>(preview: SettingsAction<P>, save: SettingsAction<unknown>, saved: string) {
  const router = useRouter();
  const toast = useToast();
  const { errors, busy, run, read } = useAction();
  const [shown, setShown] = useState<{ preview: P; input: Record<string, unknown> } | null>(null);

  const review = (input: Record<string, unknown>) => read(preview, input, (data) => setShown({ preview: data, input }));

  const confirm = () => {
    if (!shown) return;
    // The dialog stays open (its Save button busy) until the answer comes, then closes either way.
    const saveAndClose = async (input: unknown) => {
      const res = await save(input);
      setShown(null);
      return res;
    };
    run(saveAndClose, { ...shown.input, baseHash: shown.preview.baseHash }, () => {
      toast(saved);
      router.refresh();
    });
  };

  return { errors, shown, busy, review, confirm, cancel: () => setShown(null) };
}
