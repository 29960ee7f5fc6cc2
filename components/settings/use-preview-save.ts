'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useToast } from '@/components/ui/toast';
import type { SettingsAction } from './types';

/**
 * Preview first, then save exactly what was previewed: the save carries the preview's baseHash, so
 * a file that changed in between is refused rather than overwritten.
 */
export function usePreviewSave<P extends { baseHash: string }>(preview: SettingsAction<P>, save: SettingsAction<unknown>, saved: string) {
  const router = useRouter();
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [shown, setShown] = useState<{ preview: P; input: Record<string, unknown> } | null>(null);
  const [busy, start] = useTransition();

  const review = (input: Record<string, unknown>) =>
    start(async () => {
      const res = await preview(input);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        toast(res.message, 'error');
        return;
      }
      setErrors({});
      setShown({ preview: res.data, input });
    });

  const confirm = () =>
    start(async () => {
      if (!shown) return;
      const res = await save({ ...shown.input, baseHash: shown.preview.baseHash });
      setShown(null);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        toast(res.message, 'error');
        return;
      }
      toast(saved);
      router.refresh();
    });

  return { errors, shown, busy, review, confirm, cancel: () => setShown(null) };
}
