'use client';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { ApiTokenDto, CreatedApiTokenDto } from '@/lib/dto/api-tokens';
import { TOKEN_LIFETIMES } from '@/lib/schemas/api-tokens';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { RoleSelect } from '@/components/ui/role-select';
import { Cell, Table } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { useAction } from '@/components/ui/use-action';
import { formatTime } from '@/lib/format-time';

type Props = {
  tokens: ApiTokenDto[];
  /** "Require two-step sign-in for admins" is on: it holds their tokens too. */
  adminTotpRequired: boolean;
  /** The server's clock at the render (ISO): "expired" judged by it reads the same after hydration. */
  now: string;
  actions: {
    create: (input: unknown) => Promise<ActionResult<CreatedApiTokenDto>>;
    revoke: (input: unknown) => Promise<ActionResult<undefined>>;
  };
};

type Dialogs = { kind: 'create' } | { kind: 'created'; token: CreatedApiTokenDto } | { kind: 'revoke'; token: ApiTokenDto } | null;

const when = (iso: string | null, none = '—') => (iso ? formatTime(iso) : none);

function state(t: ApiTokenDto, now: number) {
  if (t.revokedAt) return <Badge tone="bad">Revoked</Badge>;
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return <Badge tone="warn">Expired</Badge>;
  if (t.creatorMustEnrolTotp) return <Badge tone="warn">Refused: creator has no two-step sign-in</Badge>;
  return <Badge tone="good">Active</Badge>;
}

export function TokenAdmin({ tokens, adminTotpRequired, now, actions }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const { errors, setErrors, busy: pending, run } = useAction();
  // The native <dialog> fires `close` when the next dialog replaces it, too: only close our own.
  const closeIf = (kind: NonNullable<Dialogs>['kind']) => () => setDialog((d) => (d?.kind === kind ? null : d));

  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const days = String(form.get('expiresInDays') ?? '');
    const input = { name: form.get('name'), role: form.get('role'), expiresInDays: days === '' ? null : Number(days) };
    run(actions.create, input, (token) => {
      setDialog({ kind: 'created', token });
      router.refresh();
    });
  };

  const revoke = (t: ApiTokenDto) =>
    run(actions.revoke, { id: t.id }, () => {
      toast(`${t.name} revoked`);
      setDialog(null);
      router.refresh();
    });

  return (
    <>
      {adminTotpRequired && (
        <p role="status" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Admins must use two-step sign-in here, and so must the admins whose tokens these are: a token whose creator is an
          admin without it is refused with 403 TOTP_ENROLMENT_REQUIRED until they set it up.
        </p>
      )}
      <div className="mb-4 flex justify-end">
        <Button onClick={() => (setErrors({}), setDialog({ kind: 'create' }))}>Create token</Button>
      </div>
      {tokens.length === 0 ? (
        <EmptyState title="No API tokens yet">Create one for each script or pipeline, so you can revoke it on its own.</EmptyState>
      ) : (
        <Table head={['Name', 'Token', 'Role', 'Created', 'Expires', 'Last used', 'Status', '']}>
          {tokens.map((t) => (
            <tr key={t.id}>
              <Cell>{t.name}</Cell>
              <Cell>
                <code className="text-xs">{t.prefix}…</code>
              </Cell>
              <Cell>{t.role}</Cell>
              <Cell>
                {when(t.createdAt)}
                <div className="text-xs text-zinc-500">{t.createdBy}</div>
              </Cell>
              <Cell>{when(t.expiresAt, 'never')}</Cell>
              <Cell>{when(t.lastUsedAt, 'never')}</Cell>
              <Cell>{state(t, Date.parse(now))}</Cell>
              <Cell>
                {!t.revokedAt && (
                  <Button variant="danger" onClick={() => setDialog({ kind: 'revoke', token: t })}>
                    Revoke
                  </Button>
                )}
              </Cell>
            </tr>
          ))}
        </Table>
      )}

      <Dialog open={dialog?.kind === 'create'} title="Create API token" onClose={closeIf('create')}>
        <form onSubmit={create} className="space-y-3" noValidate>
          <FormField id="token-name" label="Name" errors={errors.name} hint="What uses it, e.g. “GitHub deploy workflow”">
            <Input name="name" required maxLength={64} />
          </FormField>
          <FormField id="token-role" label="Role" errors={errors.role} hint="operator: deploy, roll back, clean up · viewer: read only">
            <RoleSelect name="role" defaultValue="operator" />
          </FormField>
          <FormField id="token-expiry" label="Expires" errors={errors.expiresInDays}>
            <Select name="expiresInDays" defaultValue="90">
              {TOKEN_LIFETIMES.map((d) => (
                <option key={d} value={d}>
                  in {d} days
                </option>
              ))}
              <option value="">never</option>
            </Select>
          </FormField>
          <CancelConfirmButtons onCancel={() => setDialog(null)} busy={pending}>
            Create token
          </CancelConfirmButtons>
        </form>
      </Dialog>

      <Dialog open={dialog?.kind === 'created'} title="Copy the token now" onClose={closeIf('created')}>
        {dialog?.kind === 'created' && (
          <div className="space-y-4">
            <p>
              This is the only time the console shows the token for {dialog.token.name}; it keeps only a hash. Send it as
              <code className="mx-1 text-xs">Authorization: Bearer …</code>.
            </p>
            <Input readOnly aria-label="New API token" value={dialog.token.token} onFocus={(e) => e.currentTarget.select()} className="font-mono text-xs" />
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => navigator.clipboard?.writeText(dialog.token.token).then(() => toast('Copied'))}>
                Copy
              </Button>
              <Button onClick={() => setDialog(null)}>Done</Button>
            </div>
          </div>
        )}
      </Dialog>

      <Dialog open={dialog?.kind === 'revoke'} title="Revoke this token?" onClose={closeIf('revoke')}>
        {dialog?.kind === 'revoke' && (
          <div className="space-y-4">
            <p>Scripts using {dialog.token.name} get 401 from their next request on. This cannot be undone.</p>
            <CancelConfirmButtons onCancel={() => setDialog(null)} variant="danger" busy={pending} onConfirm={() => revoke(dialog.token)}>
              Revoke token
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
    </>
  );
}
