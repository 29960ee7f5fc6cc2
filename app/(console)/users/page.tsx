import { PageHeader } from '@/components/shell/page-header';
import { UserAdmin } from '@/components/users/user-admin';
import { requirePageCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { adminTotpPolicy, listUsers } from '@/server/services/users';
import { allEnvironmentRoles } from '@/server/services/environment-roles';
import { changeRoleAction, createUserAction, resetPasswordAction, resetTotpAction, setAdminTotpRequiredAction, setDisabledAction, setEnvironmentRoleAction } from './actions';

export const metadata = { title: 'Users' };

export default async function UsersPage() {
  const caller = await requirePageCaller('admin');
  const rt = runtime();
  const users = listUsers(rt, caller);
  const policy = adminTotpPolicy(rt, caller);
  const environmentRoles = allEnvironmentRoles(rt, caller);
  return (
    <>
      <PageHeader title="Users">People who can sign in to this console, and what each may do.</PageHeader>
      <UserAdmin
        users={users}
        selfId={caller.user.id}
        adminTotpRequired={policy.required}
        environmentRoles={environmentRoles}
        actions={{
          create: createUserAction,
          changeRole: changeRoleAction,
          setDisabled: setDisabledAction,
          resetPassword: resetPasswordAction,
          resetTotp: resetTotpAction,
          setAdminTotpRequired: setAdminTotpRequiredAction,
          setEnvironmentRole: setEnvironmentRoleAction,
        }}
      />
    </>
  );
}
