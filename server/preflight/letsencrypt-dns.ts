import type { Check, CheckResult } from './types';

// With TLS_MODE=letsencrypt the proxy asks Let's Encrypt for HOST's certificate, which it issues
// only when HOST reaches this machine. The check compares HOST's addresses with this machine's own;
// behind NAT the public address is on the router, not here, so a mismatch is a warning, not a failure.

/** Resolver answers that mean "no answer now", not "no such name". */
const UNREACHABLE = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ECONNREFUSED', 'ESERVFAIL', 'ECONNRESET']);

export function decideDns(host: string, answer: { addresses: string[] } | { code: string }, local: string[]): CheckResult {
  if ('code' in answer) {
    if (UNREACHABLE.has(answer.code)) {
      return { status: 'unknown', summary: `The DNS could not be asked about ${host} (${answer.code}).`, fix: 'Check the host’s DNS resolver (/etc/resolv.conf), then check again.', figures: { host, error: answer.code } };
    }
    return {
      status: 'fail',
      summary: `${host} does not resolve (${answer.code}): Let's Encrypt cannot issue its certificate.`,
      fix: `Create an A (and AAAA) record for ${host} pointing at this server's public address.`,
      figures: { host, error: answer.code },
    };
  }
  const mine = answer.addresses.filter((a) => local.includes(a));
  const figures = { host, addresses: answer.addresses.join(', '), matching: mine.join(', ') || null };
  if (mine.length > 0) return { status: 'pass', summary: `${host} resolves to ${mine.join(', ')}, an address of this machine.`, fix: null, figures };
  return {
    status: 'warn',
    summary: `${host} resolves to ${answer.addresses.join(', ')}, which is not an address of this machine (fine behind NAT when the router forwards ports 80 and 443 here).`,
    fix: `Point ${host}'s A/AAAA record at this server, or make sure the address it names forwards ports 80 and 443 to it.`,
    figures,
  };
}

export const letsencryptDnsCheck: Check = {
  id: 'letsencrypt-dns',
  title: "Let's Encrypt: HOST resolves here",
  run: async (port, ctx) => {
    if (ctx.tlsMode !== 'letsencrypt') return null;
    if (!ctx.host) return { status: 'fail', summary: 'TLS_MODE is letsencrypt but HOST is empty.', fix: 'Set HOST (Settings › Domain & TLS).', figures: { host: null } };
    const answer = await port.lookup(ctx.host).then(
      (addresses) => ({ addresses }),
      (err: NodeJS.ErrnoException) => ({ code: String(err.code ?? 'ERROR') }),
    );
    return decideDns(ctx.host, answer, await port.localAddresses());
  },
};
