import 'server-only';
import { headers } from 'next/headers';
import { runtime } from '../runtime';
import { clientIp } from './client-ip';

/** The current request's source address, for the audit trail. */
export async function requestIp(): Promise<string> {
  return clientIp(await headers(), runtime().env.trustedProxies);
}
