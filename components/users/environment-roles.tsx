'use client';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { UserEnvironmentRolesDto } from '@/lib/dto/environment-roles';
import { Badge } from '@/components/ui/badge';
import { Select } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { useAction } from '@/components/ui/use-action';

type Props = {
  email: string;
  roles: UserEnvironmentRolesDto;
  setRole: (input: unknown) => Promise<ActionResult<unknown>>;
};

const INHERIT = 'inherit';

/**
 * A user's role per environment (docs/environments.md#roles-per-environment): a row per
 * environment, inherit (the console-wide role) / viewer / operator, and the role that counts there.
 * No confirmation: each change is one audited call, undone by choosing again.
 */
export function EnvironmentRoles({ email, roles, setRole }: Props) {
  const router = useRouter();
  const toast = useToast();
  const { busy, run } = useAction();
  if (roles.role === 'admin') return <p>{email} is an admin, and admins are admin in every environment.</p>;
  return (
    <div className="space-y-3">
      <p>
        A grant replaces the console-wide role ({roles.role}) in one environment, up or down. It applies at the user’s next click,
        their API tokens included (a token never acts above its own role).
      </p>
      <Table head={['Environment', 'Role here', 'Effective']}>
        {roles.environments.map((e) => (
          <tr key={e.environmentId}>
            <Cell>{e.environmentName}</Cell>
            <Cell>
              <Select
                aria-label={`Role of ${email} in ${e.environmentName}`}
                value={e.grant ?? INHERIT}
                disabled={busy}
                onChange={(ev) => {
                  const role = ev.target.value === INHERIT ? null : ev.target.value;
                  run(setRole, { userId: roles.userId, environmentId: e.environmentId, role }, () => {
                    toast(role ? `${email} is ${role} in ${e.environmentName}` : `${email} has their console-wide role in ${e.environmentName}`);
                    router.refresh();
                  });
                }}
              >
                <option value={INHERIT}>inherit ({roles.role})</option>
                <option value="viewer">viewer</option>
                <option value="operator">operator</option>
              </Select>
            </Cell>
            <Cell>
              <Badge tone={e.grant ? 'warn' : 'neutral'}>{e.effective}</Badge>
            </Cell>
          </tr>
        ))}
      </Table>
    </div>
  );
}
