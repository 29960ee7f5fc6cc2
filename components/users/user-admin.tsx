'use client';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { UserDto } from '@/lib/dto/user';
import type { UserEnvironmentRolesDto } from '@/lib/dto/environment-roles';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { RoleSelect } from '@/components/ui/role-select';
import { Cell, Table } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { useAction } from '@/components/ui/use-action';
import { EnvironmentRoles } from './environment-roles';

type Action<T = unknown> = (input: unknown) => Promise<ActionResult<T>>;
type Props = {
  users: UserDto[];
  selfId: string;
  /** Whether admins must use two-step sign-in (console setting). */
  adminTotpRequired: boolean;
  /** Each user's role in every environment (same order as `users`). */
  environmentRoles: UserEnvironmentRolesDto[];
  actions: { create: Action; changeRole: Action; setDisabled: Action; resetPassword: Action; resetTotp: Action; setAdminTotpRequired: Action; setEnvironmentRole: Action };
};

type Dialogs = { kind: 'create' } | { kind: 'disable'; user: UserDto } | { kind: 'password'; user: UserDto } | { kind: 'totp'; user: UserDto } | { kind: 'environments'; user: UserDto } | null;

export function UserAdmin({ users, selfId, adminTotpRequired, environmentRoles, actions }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const { errors, setErrors, busy: pending, run: runAction } = useAction();

  const run = (action: Action, input: unknown, done: string) =>
    runAction(action, input, () => {
      setDialog(null);
      toast(done);
      router.refresh();
    });

  const submit = (action: Action, done: string, extra: Record<string, unknown> = {}) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    run(action, { ...Object.fromEntries(new FormData(e.currentTarget)), ...extra }, done);
  };

  const rolesOf = (id: string) => environmentRoles.find((r) => r.userId === id);
  // Shown beside the console-wide role: where a grant changes it, so nobody reads the role column alone.
  const granted = (id: string) => rolesOf(id)?.environments.filter((e) => e.grant !== null) ?? [];
  const shownRoles = dialog?.kind === 'environments' ? rolesOf(dialog.user.id) : undefined;

  return (
    <>
      <div className="mb-4 flex items-center justify-between gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={adminTotpRequired}
            disabled={pending}
            onChange={(e) =>
              run(actions.setAdminTotpRequired, { required: e.target.checked }, e.target.checked ? 'Admins must now use two-step sign-in' : 'Two-step sign-in is optional for admins')
            }
          />
          Require two-step sign-in for admins
        </label>
        <Button onClick={() => (setErrors({}), setDialog({ kind: 'create' }))}>Add user</Button>
      </div>
      <Table head={['Name', 'Email', 'Role', 'Status', 'Two-step', '']}>
        {users.map((u) => (
          <tr key={u.id}>
            <Cell>{u.name}</Cell>
            <Cell>{u.email}</Cell>
            <Cell>
              <RoleSelect
                aria-label={`Role of ${u.email}`}
                value={u.role}
                disabled={pending}
                onChange={(e) => run(actions.changeRole, { id: u.id, role: e.target.value }, `${u.email} is now ${e.target.value}`)}
              />
              {granted(u.id).length > 0 && (
                <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{granted(u.id).map((e) => `${e.effective} in ${e.environmentName}`).join(', ')}</p>
              )}
            </Cell>
            <Cell>{u.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="good">Active</Badge>}</Cell>
            <Cell>{u.totp ? <Badge tone="good">On</Badge> : <Badge>Off</Badge>}</Cell>
            <Cell>
              <div className="flex gap-2">
                {u.role !== 'admin' && !u.disabled && (
                  <Button variant="secondary" onClick={() => setDialog({ kind: 'environments', user: u })}>
                    Role per environment
                  </Button>
                )}
                {u.totp && (
                  <Button variant="secondary" onClick={() => setDialog({ kind: 'totp', user: u })}>
                    Reset two-step
                  </Button>
                )}
                <Button variant="secondary" onClick={() => (setErrors({}), setDialog({ kind: 'password', user: u }))}>
                  Reset password
                </Button>
                {u.disabled ? (
                  <Button variant="secondary" onClick={() => run(actions.setDisabled, { id: u.id, disabled: false }, `${u.email} enabled`)}>
                    Enable
                  </Button>
                ) : (
                  <Button variant="danger" disabled={u.id === selfId} onClick={() => setDialog({ kind: 'disable', user: u })}>
                    Disable
                  </Button>
                )}
              </div>
            </Cell>
          </tr>
        ))}
      </Table>

      <Dialog open={dialog?.kind === 'environments'} title="Role per environment" onClose={() => setDialog(null)}>
        {dialog?.kind === 'environments' && shownRoles && (
          <div className="space-y-4">
            <EnvironmentRoles email={dialog.user.email} roles={shownRoles} setRole={actions.setEnvironmentRole} />
            <div className="flex justify-end">
              <Button variant="secondary" onClick={() => setDialog(null)}>
                Close
              </Button>
            </div>
          </div>
        )}
      </Dialog>

      <Dialog open={dialog?.kind === 'create'} title="Add user" onClose={() => setDialog(null)}>
        <form onSubmit={submit(actions.create, 'User added')} className="space-y-3" noValidate>
          <FormField id="new-name" label="Name" errors={errors.name}>
            <Input name="name" required />
          </FormField>
          <FormField id="new-email" label="Email" errors={errors.email}>
            <Input name="email" type="email" required />
          </FormField>
          <FormField id="new-role" label="Role" errors={errors.role} hint="viewer: read only · operator: deploy, roll back, logs, read settings · admin: everything, settings included">
            <RoleSelect name="role" defaultValue="viewer" />
          </FormField>
          <FormField id="new-password" label="Initial password (12 characters or more)" errors={errors.password}>
            <Input name="password" type="password" autoComplete="new-password" required />
          </FormField>
          <CancelConfirmButtons onCancel={() => setDialog(null)} busy={pending}>
            Add user
          </CancelConfirmButtons>
        </form>
      </Dialog>

      <Dialog open={dialog?.kind === 'disable'} title="Disable this account?" onClose={() => setDialog(null)}>
        {dialog?.kind === 'disable' && (
          <div className="space-y-4">
            <p>
              {dialog.user.email} will be signed out at once and can no longer sign in. You can enable the account again
              later.
            </p>
            <CancelConfirmButtons
              onCancel={() => setDialog(null)}
              variant="danger"
              busy={pending}
              onConfirm={() => run(actions.setDisabled, { id: dialog.user.id, disabled: true }, `${dialog.user.email} disabled`)}
            >
              Disable account
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>

      <Dialog open={dialog?.kind === 'totp'} title="Reset two-step sign-in?" onClose={() => setDialog(null)}>
        {dialog?.kind === 'totp' && (
          <div className="space-y-4">
            <p>
              {dialog.user.email} is signed out everywhere and will sign in with the password alone until they set up a new
              authenticator. Do this only when you are sure who asked.
            </p>
            <CancelConfirmButtons
              onCancel={() => setDialog(null)}
              variant="danger"
              busy={pending}
              onConfirm={() => run(actions.resetTotp, { id: dialog.user.id }, `Two-step sign-in reset for ${dialog.user.email}`)}
            >
              Reset
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>

      <Dialog open={dialog?.kind === 'password'} title="Reset password" onClose={() => setDialog(null)}>
        {dialog?.kind === 'password' && (
          <form onSubmit={submit(actions.resetPassword, 'Password changed', { id: dialog.user.id })} className="space-y-3" noValidate>
            <p>Set a new password for {dialog.user.email} and pass it on securely. They are signed out everywhere (your own password: this session stays).</p>
            <FormField id="reset-password" label="New password" errors={errors.password}>
              <Input name="password" type="password" autoComplete="new-password" required />
            </FormField>
            <CancelConfirmButtons onCancel={() => setDialog(null)} busy={pending}>
              Set password
            </CancelConfirmButtons>
          </form>
        )}
      </Dialog>
    </>
  );
}
