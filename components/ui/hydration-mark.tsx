'use client';
import { useEffect } from 'react';

/**
 * Marks the document once React has hydrated it. Typing into a server-rendered form before that is
 * lost when React takes the inputs over, so browser tests wait for this mark after a full load.
 */
export function HydrationMark() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
