'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { changeAction, readAction } from '@/lib/call-action';
import type { BackupTargetDto, RepositoryCheckDto, TestTargetDto } from '@/lib/dto/backup-target';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';

type Props = {
  target: BackupTargetDto;
  actions: {
    save: (input: unknown) => Promise<ActionResult<BackupTargetDto>>;
    test: (input: unknown) => Promise<ActionResult<TestTargetDto>>;
    check: (input: unknown) => Promise<ActionResult<RepositoryCheckDto>>;
  };
};

type Kind = BackupTargetDto['type'];
const TEXTAREA =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs text-zinc-900 shadow-sm aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100';

/**
 * The repository setting (admins): where the backups go, with "Test connection" (which asks to
 * confirm an SFTP server's host key the first time, and shows a new repository's password once)
 * and "Check repository" (restic's integrity check). Keys and secrets are write-only: the form
 * shows whether one is stored, never its value.
 */
export function BackupTargetForm({ target, actions }: Props) {
  const [pending, start] = useTransition();
  const [current, setCurrent] = useState(target);
  const [kind, setKind] = useState<Kind>(target.type);
  const [f, setF] = useState<Record<string, string>>(() => ({
    path: target.type !== 's3' ? target.path : '',
    user: target.type === 'sftp' ? target.user : '',
    host: target.type === 'sftp' ? target.host : '',
    port: target.type === 'sftp' ? String(target.port) : '22',
    privateKey: '',
    endpoint: target.type === 's3' ? target.endpoint : '',
    bucket: target.type === 's3' ? target.bucket : '',
    prefix: target.type === 's3' ? target.prefix : '',
    accessKeyId: target.type === 's3' ? target.accessKeyId : '',
    secretAccessKey: '',
    caCertificate: '',
  }));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [hostKey, setHostKey] = useState<Extract<TestTargetDto, { status: 'confirm-host-key' }> | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const set = (k: string) => (e: { target: { value: string } }) => setF((p) => ({ ...p, [k]: e.target.value }));

  const input = () => {
    if (kind === 'local') return { type: 'local', path: f.path };
    if (kind === 'sftp') return { type: 'sftp', user: f.user, host: f.host, port: Number(f.port), path: f.path, ...(f.privateKey ? { privateKey: f.privateKey } : {}) };
    return {
      type: 's3',
      endpoint: f.endpoint,
      bucket: f.bucket,
      prefix: f.prefix,
      accessKeyId: f.accessKeyId,
      ...(f.secretAccessKey ? { secretAccessKey: f.secretAccessKey } : {}),
      ...(f.caCertificate ? { caCertificate: f.caCertificate } : {}),
    };
  };
  const save = () =>
    start(async () => {
      setMessage(null);
      const res = await changeAction(() => actions.save(input()));
      setErrors(res.ok ? {} : (res.fieldErrors ?? {}));
      if (!res.ok) return setMessage({ ok: false, text: res.message });
      setCurrent(res.data);
      setF((p) => ({ ...p, privateKey: '', secretAccessKey: '' }));
      setMessage({ ok: true, text: 'Saved. Test the connection before the next backup.' });
    });
  const test = (acceptHostKey?: string) =>
    start(async () => {
      setMessage(null);
      // A first test creates the repository (and shows its password once): never sent twice.
      const res = await changeAction(() => actions.test(acceptHostKey ? { acceptHostKey } : {}));
      if (!res.ok) return setMessage({ ok: false, text: res.message });
      if (res.data.status === 'confirm-host-key') return setHostKey(res.data);
      setHostKey(null);
      if (res.data.repositoryPassword) setPassword(res.data.repositoryPassword);
      setMessage({ ok: true, text: `Connected to ${res.data.location}: ${res.data.created ? 'repository created' : 'repository opened'}${res.data.hostKeyFingerprint ? ` (host key ${res.data.hostKeyFingerprint})` : ''}.` });
    });
  const check = () =>
    start(async () => {
      setMessage(null);
      // Changes nothing; a second check after a lost first one at worst finds the repository locked.
      const res = await readAction(() => actions.check({ readData: true }));
      if (!res.ok) return setMessage({ ok: false, text: res.message });
      setMessage({ ok: true, text: `Repository checked, every pack read back: ${res.data.output} (${(res.data.durationMs / 1000).toFixed(1)} s).` });
    });

  return (
    <section className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="backup-target" aria-labelledby="backup-target-title">
      <h2 id="backup-target-title" className="text-base font-semibold">
        Repository
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Now: <code data-testid="backup-target-current">{current.type === 'local' ? `${current.path}${current.isDefault ? ' (default)' : ''}` : current.type === 'sftp' ? `sftp://${current.user}@${current.host}:${current.port}${current.path}` : `${current.endpoint}/${current.bucket}/${current.prefix}`}</code>
        {current.type === 'sftp' && <> · host key {current.hostKeyFingerprint ? <code>{current.hostKeyFingerprint}</code> : 'not confirmed yet'}</>}
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <FormField id="target-type" label="Where">
          <Select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="local">A directory on this host</option>
            <option value="sftp">SFTP</option>
            <option value="s3">S3-compatible storage</option>
          </Select>
        </FormField>
        {kind !== 's3' && (
          <FormField id="target-path" label={kind === 'local' ? 'Directory (absolute path, ideally another disk)' : 'Path on the server'} errors={errors.path}>
            <Input value={f.path} onChange={set('path')} spellCheck={false} />
          </FormField>
        )}
        {kind === 'sftp' && (
          <>
            <FormField id="target-user" label="User" errors={errors.user}>
              <Input value={f.user} onChange={set('user')} autoComplete="off" spellCheck={false} />
            </FormField>
            <FormField id="target-host" label="Host" errors={errors.host}>
              <Input value={f.host} onChange={set('host')} spellCheck={false} />
            </FormField>
            <FormField id="target-port" label="Port" errors={errors.port}>
              <Input value={f.port} onChange={set('port')} inputMode="numeric" />
            </FormField>
            <FormField id="target-key" label="Private key (no passphrase)" errors={errors.privateKey} hint={current.type === 'sftp' && current.hasPrivateKey ? 'A key is stored; leave empty to keep it.' : 'Stored 0600 on this host and never shown again.'}>
              <textarea className={TEXTAREA} rows={3} value={f.privateKey} onChange={set('privateKey')} spellCheck={false} autoComplete="off" />
            </FormField>
          </>
        )}
        {kind === 's3' && (
          <>
            <FormField id="target-endpoint" label="Endpoint URL" errors={errors.endpoint}>
              <Input value={f.endpoint} onChange={set('endpoint')} placeholder="https://s3.example.com" spellCheck={false} />
            </FormField>
            <FormField id="target-bucket" label="Bucket" errors={errors.bucket}>
              <Input value={f.bucket} onChange={set('bucket')} spellCheck={false} />
            </FormField>
            <FormField id="target-prefix" label="Prefix (folder in the bucket)" errors={errors.prefix}>
              <Input value={f.prefix} onChange={set('prefix')} spellCheck={false} />
            </FormField>
            <FormField id="target-access-key" label="Access key id" errors={errors.accessKeyId}>
              <Input value={f.accessKeyId} onChange={set('accessKeyId')} autoComplete="off" spellCheck={false} />
            </FormField>
            <FormField id="target-secret" label="Secret access key" errors={errors.secretAccessKey} hint={current.type === 's3' ? 'A secret is stored; leave empty to keep it.' : 'Stored 0600 on this host and never shown again.'}>
              <Input type="password" value={f.secretAccessKey} onChange={set('secretAccessKey')} autoComplete="new-password" />
            </FormField>
            <FormField id="target-ca" label="CA certificate (PEM, for a private CA; optional)" errors={errors.caCertificate}>
              <textarea className={TEXTAREA} rows={3} value={f.caCertificate} onChange={set('caCertificate')} spellCheck={false} />
            </FormField>
          </>
        )}
      </div>
      <div className="flex flex-wrap gap-2">
        <Button onClick={save} busy={pending} data-testid="target-save">
          Save
        </Button>
        <Button variant="secondary" onClick={() => test()} busy={pending} data-testid="target-test">
          Test connection
        </Button>
        <Button variant="secondary" onClick={check} busy={pending} data-testid="target-check">
          Check repository
        </Button>
      </div>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} data-testid="target-message" className={`text-sm ${message.ok ? 'text-green-700 dark:text-green-400' : 'text-red-600'}`}>
          {message.text}
        </p>
      )}

      <Dialog open={hostKey !== null} title="Confirm the server's host key" onClose={() => setHostKey(null)}>
        {hostKey && (
          <div className="space-y-3">
            <p>
              {hostKey.host}:{hostKey.port} presents this {hostKey.keyType} host key. Compare it with the one the server shows (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on it): once confirmed, only this key is accepted.
            </p>
            <p className="break-all rounded bg-zinc-100 p-2 font-mono text-sm dark:bg-zinc-800" data-testid="host-key-fingerprint">
              {hostKey.fingerprint}
            </p>
            <CancelConfirmButtons onCancel={() => setHostKey(null)} busy={pending} onConfirm={() => test(hostKey.fingerprint)}>
              It matches: trust it
            </CancelConfirmButtons>
          </div>
        )}
      </Dialog>
      <Dialog open={password !== null} title="Keep the repository password" onClose={() => setPassword(null)}>
        <div className="space-y-3">
          <p>The repository was created with this password. It is shown only now. Without it the backups cannot be read, for example on a new host: keep a copy somewhere safe, away from this server.</p>
          <p className="break-all rounded bg-zinc-100 p-2 font-mono text-sm dark:bg-zinc-800" data-testid="target-repository-password">
            {password}
          </p>
          <Button onClick={() => setPassword(null)}>I have kept it</Button>
        </div>
      </Dialog>
    </section>
  );
}
