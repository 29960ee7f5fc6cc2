import { Badge } from '@/components/ui/badge';
import { Cell, Table } from '@/components/ui/table';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageUser } from '@/server/auth/session';
import { listUsers } from '@/server/services/users';

export const metadata = { title: 'Users' };

export default async function UsersPage() {
  await requirePageUser('admin');
  const users = await listUsers();
  return (
    <>
      <PageHeader title="Users">People who can sign in to this console.</PageHeader>
      <Table head={['Name', 'Email', 'Role', 'Status']}>
        {users.map((u) => (
          <tr key={u.id}>
            <Cell>{u.name}</Cell>
            <Cell>{u.email}</Cell>
            <Cell>
              <Badge>{u.role}</Badge>
            </Cell>
            <Cell>{u.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="good">Active</Badge>}</Cell>
          </tr>
        ))}
      </Table>
    </>
  );
}
