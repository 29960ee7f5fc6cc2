'use client';
import type { Role } from '@/lib/roles';
import { Badge } from '@/components/ui/badge';
import { useEnvironment } from './environment-context';

/**
 * The role the user acts with on this page: their role in the environment the URL names, which a
 * grant may set above or below their console-wide role (docs/environments.md#roles-per-environment).
 * Showing the console-wide one would tell a viewer-on-production operator they may deploy there.
 */
export function RoleBadge({ accountRole }: { accountRole: Role }) {
  const { environment } = useEnvironment();
  return <RoleBadgeView accountRole={accountRole} here={environment ? { name: environment.name, role: environment.role } : null} />;
}

/** `here`: the current environment and the role there; null for an unknown one (the page says so), where the account role is all there is. */
export function RoleBadgeView({ accountRole, here }: { accountRole: Role; here: { name: string; role: Role } | null }) {
  const role = here?.role ?? accountRole;
  const granted = here !== null && here.role !== accountRole;
  return (
    <span data-testid="role-badge" title={granted ? `${role} in ${here.name} (${accountRole} elsewhere)` : undefined}>
      <Badge tone={granted ? 'warn' : 'neutral'}>{granted ? `${role} in ${here.name}` : role}</Badge>
    </span>
  );
}
