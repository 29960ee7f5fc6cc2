import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { HydrationMark } from '@/components/ui/hydration-mark';
import './globals.css';

// Every page depends on the session and live state: nothing is prerendered.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: { default: 'Tale Console', template: '%s · Tale Console' } };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {children}
        <HydrationMark />
      </body>
    </html>
  );
}
