'use client';
import { useSearchParams } from 'next/navigation';
import { environmentHref } from './environment-href';

/** For client components on an environment's page: turns a console path into one that stays in the page's `?env=`. */
export function useEnvironmentHref(): (path: string) => string {
  const env = useSearchParams().get('env');
  return (path: string) => environmentHref(path, env);
}
