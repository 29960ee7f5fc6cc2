'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { useToast } from './toast';

/**
 * Runs a server action the way every form here does: a failure keeps the form open with its field
 * messages and a toast; a success clears them and hands the data on.
 */
export function useAction() {
  const toast = useToast();
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, start] = useTransition();

  const run = <T,>(action: (input: unknown) => Promise<ActionResult<T>>, input: unknown, onOk: (data: T) => void) =>
    start(async () => {
      const res = await action(input);
      if (!res.ok) {
        setErrors(res.fieldErrors ?? {});
        toast(res.message, 'error');
        return;
      }
      setErrors({});
      onOk(res.data);
    });

  return { errors, setErrors, busy, run };
}
