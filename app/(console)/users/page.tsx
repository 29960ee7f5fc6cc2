import { PageHeader } from '@/components/shell/page-header';
import { UserAdmin } from '@/components/users/user-admin';
import { requirePageUser } from '@/server/auth/session';
import { adminTotpPolicy, listUsers } from '@/server/services/users';
import { changeRoleAction, createUserAction, resetPasswordAction, resetTotpAction, setAdminTotpRequiredAction, setDisabledAction } from './actions';

export const metadata = { title: 'Users' };

export default async function UsersPage() {
  const me = await requirePageUser('admin');
  const [users, policy] = await Promise.all([listUsers(), adminTotpPolicy()]);
  return (
    <>
      <PageHeader title="Users">People who can sign in to this console, and what each may do.</PageHeader>
      <UserAdmin
        users={users}
        selfId={me.id}
        adminTotpRequired={policy.required}
        actions={{
          create: createUserAction,
          changeRole: changeRoleAction,
          setDisabled: setDisabledAction,
          resetPassword: resetPasswordAction,
          resetTotp: resetTotpAction,
          setAdminTotpRequired: setAdminTotpRequiredAction,
        }}
      />
    </>
  );
}
