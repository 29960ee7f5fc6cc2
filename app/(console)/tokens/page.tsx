import { PageHeader } from '@/components/shell/page-header';
import { TokenAdmin } from '@/components/tokens/token-admin';
import { requirePageUser } from '@/server/auth/session';
import { listTokens, tokenTotpPolicy } from '@/server/services/api-tokens';
import { createTokenAction, revokeTokenAction } from './actions';

export const metadata = { title: 'API tokens' };

export default async function TokensPage() {
  await requirePageUser('admin');
  const [tokens, policy] = await Promise.all([listTokens(), tokenTotpPolicy()]);
  return (
    <>
      <PageHeader title="API tokens">
        Bearer tokens for scripts and CI/CD to use the HTTP API under /api/v1 (described at /api/v1/openapi.json).
      </PageHeader>
      <TokenAdmin tokens={tokens} adminTotpRequired={policy.adminTotpRequired} actions={{ create: createTokenAction, revoke: revokeTokenAction }} />
    </>
  );
}
