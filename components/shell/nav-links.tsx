'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cx } from '@/components/ui/cx';
import { useEnvironment } from './environment-context';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/fleet', label: 'Fleet' },
  { href: '/deployments', label: 'Deployments' },
  { href: '/backups', label: 'Backups' },
  { href: '/disk', label: 'Disk' },
  { href: '/logs', label: 'Logs' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/settings', label: 'Settings' },
  { href: '/environments', label: 'Environments' },
  { href: '/users', label: 'Users' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/audit', label: 'Audit' },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  // Every link stays in the page's environment (users, tokens and audit are global and ignore it).
  const { href } = useEnvironment();
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {LINKS.map((l) => {
        const active = l.href === '/' ? pathname === '/' : pathname.startsWith(l.href);
        return (
          <Link
            key={l.href}
            href={href(l.href)}
            aria-current={active ? 'page' : undefined}
            className={cx(
              'rounded-md px-3 py-2 text-sm font-medium',
              active
                ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300'
                : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
            )}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
