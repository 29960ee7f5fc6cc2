import { PageHeader } from '@/components/shell/page-header';
import { TokenAdmin } from '@/components/tokens/token-admin';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { listTokens, tokenTotpPolicy } from '@/server/services/api-tokens';
import { createTokenAction, revokeTokenAction } from './actions';

export const metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const caller = await requirePageCaller('admin');
  const rt = runtime();
  const tokens = listTokens(rt, caller);
  const policy = tokenTotpPolicy(rt, caller);
  return (
    <>
      <PageHeader title="API tokens">
        Bearer tokens for scripts and CI/CD to use the HTTP API under /api/v1 (described at /api/v1/openapi.json).
      </PageHeader>
      <TokenAdmin tokens={tokens} adminTotpRequired={policy.adminTotpRequired} now={rt.clock.now().toISOString()} actions={{ create: createTokenAction, revoke: revokeTokenAction }} />
    </>
  );
}
