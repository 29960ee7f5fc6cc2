'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import type { FreshHostBackupsDto } from '@/lib/dto/fresh-restore';
import type { OperationDto } from '@/lib/dto/operations';
import { formatBytes } from '@/lib/format-usage';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';

type Actions = {
  list: (input: unknown) => Promise<ActionResult<FreshHostBackupsDto>>;
  restore: (input: unknown) => Promise<ActionResult<OperationDto>>;
};
type Kind = 'local' | 'sftp' | 's3';
type Listed = Extract<FreshHostBackupsDto, { status: 'listed' }>;
type HostKey = Extract<FreshHostBackupsDto, { status: 'confirm-host-key' }>;

const TEXTAREA =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs text-zinc-900 shadow-sm aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100';

/**
 * The initialise screen's second path (docs/backups.md#restore-into-a-new-host): a repository (the
 * Backups page's target fields) and its password, the backups it holds, one chosen and confirmed
 * by typing its project id. The password stays in this form's state only; the server keeps it
 * 0600 and never sends it back.
 */
export function FreshRestoreForm({ actions }: { actions: Actions }) {
  const router = useRouter();
  const { href } = useEnvironment();
  const [pending, start] = useTransition();
  const [kind, setKind] = useState<Kind>('local');
  const [f, setF] = useState<Record<string, string>>({ path: '', user: '', host: '', port: '22', privateKey: '', endpoint: '', bucket: '', prefix: '', accessKeyId: '', secretAccessKey: '', caCertificate: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [hostKey, setHostKey] = useState<HostKey | null>(null);
  const [accepted, setAccepted] = useState<string | undefined>(undefined);
  const [listed, setListed] = useState<Listed | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const set = (k: string) => (e: { target: { value: string } }) => setF((p) => ({ ...p, [k]: e.target.value }));

  const target = () => {
    if (kind === 'local') return { type: 'local', path: f.path };
    if (kind === 'sftp') return { type: 'sftp', user: f.user, host: f.host, port: Number(f.port), path: f.path, ...(f.privateKey ? { privateKey: f.privateKey } : {}) };
    return { type: 's3', endpoint: f.endpoint, bucket: f.bucket, prefix: f.prefix, accessKeyId: f.accessKeyId, secretAccessKey: f.secretAccessKey, ...(f.caCertificate ? { caCertificate: f.caCertificate } : {}) };
  };
  const repository = (acceptHostKey = accepted) => ({ target: target(), password: f.password, ...(acceptHostKey ? { acceptHostKey } : {}) });
  const fieldErrorsOf = (fe: Record<string, string[]> | undefined) => Object.fromEntries(Object.entries(fe ?? {}).map(([k, v]) => [k.replace(/^target\./, ''), v]));

  const list = (acceptHostKey?: string) =>
    start(async () => {
      setMessage(null);
      setListed(null);
      const res = await actions.list(repository(acceptHostKey ?? accepted));
      setErrors(res.ok ? {} : fieldErrorsOf(res.fieldErrors));
      if (!res.ok) return setMessage(res.message);
      if (res.data.status === 'confirm-host-key') return setHostKey(res.data);
      setHostKey(null);
      if (acceptHostKey) setAccepted(acceptHostKey);
      setListed(res.data);
    });
  const chosenBackup = listed?.backups.find((b) => b.id === chosen && b.readable);
  const projectId = chosenBackup?.readable ? chosenBackup.backup.projectId : '';
  const restore = () =>
    start(async () => {
      setMessage(null);
      const res = await actions.restore({ ...repository(), snapshot: chosen, projectId: typed });
      if (!res.ok) {
        setErrors(fieldErrorsOf(res.fieldErrors));
        return setMessage(res.message);
      }
      router.push(href(`/deployments/${res.data.id}`));
    });

  return (
    <section className="mt-8 max-w-3xl space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="fresh-restore" aria-labelledby="fresh-restore-title">
      <h2 id="fresh-restore-title" className="text-base font-semibold">
        Restore from a backup
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A new host for a deployment that was backed up: name its backup repository and password, choose a backup, and the console writes its project files into this empty
        directory, deploys its release by digest and restores its databases and volumes. There is no safety backup: there is nothing here to protect yet.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <FormField id="fresh-type" label="Where the repository is">
          <Select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="local">A directory on this host</option>
            <option value="sftp">SFTP</option>
            <option value="s3">S3-compatible storage</option>
          </Select>
        </FormField>
        {kind !== 's3' && (
          <FormField id="fresh-path" label={kind === 'local' ? 'Directory (absolute path)' : 'Path on the server'} errors={errors.path}>
            <Input value={f.path} onChange={set('path')} spellCheck={false} />
          </FormField>
        )}
        {kind === 'sftp' && (
          <>
            <FormField id="fresh-user" label="User" errors={errors.user}>
              <Input value={f.user} onChange={set('user')} autoComplete="off" spellCheck={false} />
            </FormField>
            <FormField id="fresh-host" label="Host" errors={errors.host}>
              <Input value={f.host} onChange={set('host')} spellCheck={false} />
            </FormField>
            <FormField id="fresh-port" label="Port" errors={errors.port}>
              <Input value={f.port} onChange={set('port')} inputMode="numeric" />
            </FormField>
            <FormField id="fresh-key" label="Private key (no passphrase)" errors={errors.privateKey}>
              <textarea className={TEXTAREA} rows={3} value={f.privateKey} onChange={set('privateKey')} spellCheck={false} autoComplete="off" />
            </FormField>
          </>
        )}
        {kind === 's3' && (
          <>
            <FormField id="fresh-endpoint" label="Endpoint URL" errors={errors.endpoint}>
              <Input value={f.endpoint} onChange={set('endpoint')} placeholder="https://s3.example.com" spellCheck={false} />
            </FormField>
            <FormField id="fresh-bucket" label="Bucket" errors={errors.bucket}>
              <Input value={f.bucket} onChange={set('bucket')} spellCheck={false} />
            </FormField>
            <FormField id="fresh-prefix" label="Prefix (folder in the bucket)" errors={errors.prefix}>
              <Input value={f.prefix} onChange={set('prefix')} spellCheck={false} />
            </FormField>
            <FormField id="fresh-access-key" label="Access key id" errors={errors.accessKeyId}>
              <Input value={f.accessKeyId} onChange={set('accessKeyId')} autoComplete="off" spellCheck={false} />
            </FormField>
            <FormField id="fresh-secret" label="Secret access key" errors={errors.secretAccessKey}>
              <Input type="password" value={f.secretAccessKey} onChange={set('secretAccessKey')} autoComplete="new-password" />
            </FormField>
            <FormField id="fresh-ca" label="CA certificate (PEM, for a private CA; optional)" errors={errors.caCertificate}>
              <textarea className={TEXTAREA} rows={3} value={f.caCertificate} onChange={set('caCertificate')} spellCheck={false} />
            </FormField>
          </>
        )}
        <FormField id="fresh-password" label="Repository password" errors={errors.password} hint="The password shown once when the repository was created.">
          <Input type="password" value={f.password} onChange={set('password')} autoComplete="off" />
        </FormField>
      </div>
      <Button onClick={() => list()} busy={pending} data-testid="fresh-list">
        List backups
      </Button>
      {hostKey && (
        <div role="alert" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p>
            First connection to {hostKey.host}:{hostKey.port}. Compare its {hostKey.keyType} host key with the one the server shows (<code>ssh-keygen -lf</code> on the server):
          </p>
          <p>
            <code data-testid="fresh-fingerprint">{hostKey.fingerprint}</code>
          </p>
          <Button onClick={() => list(hostKey.fingerprint)} busy={pending}>
            It matches: connect
          </Button>
        </div>
      )}
      {message && (
        <p role="alert" data-testid="fresh-message" className="text-sm text-red-600">
          {message}
        </p>
      )}
      {listed && (
        <fieldset className="space-y-2" data-testid="fresh-backups">
          <legend className="text-sm font-medium">Backups in {listed.location}</legend>
          {listed.backups.map((b) => (
            <label key={b.id} className="flex items-start gap-2 text-sm">
              <input type="radio" name="fresh-backup" value={b.id} disabled={!b.readable} checked={chosen === b.id} onChange={() => setChosen(b.id)} className="mt-1" />
              {b.readable ? (
                <span>
                  <strong>{b.backup.projectId}</strong> · {b.backup.release?.version ?? 'no release'} · {new Date(b.backup.startedAt).toLocaleString()} · {b.backup.kind} ·{' '}
                  {formatBytes(b.backup.bytes)} · {b.backup.databases.length} databases, {b.backup.volumes.length} volumes
                </span>
              ) : (
                <span className="text-zinc-500">
                  {b.id.slice(0, 8)} · {new Date(b.time).toLocaleString()} · cannot be restored: {b.message}
                </span>
              )}
            </label>
          ))}
        </fieldset>
      )}
      {chosenBackup && (
        <div className="space-y-2">
          <FormField id="fresh-confirm" label={`Type the project id (${projectId}) to restore it here`} errors={errors.projectId}>
            <Input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </FormField>
          <Button onClick={restore} busy={pending} disabled={typed.trim() !== projectId} data-testid="fresh-restore-start">
            Restore {projectId} here
          </Button>
        </div>
      )}
    </section>
  );
}
