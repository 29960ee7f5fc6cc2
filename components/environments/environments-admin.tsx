'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { EnvironmentDto, EnvironmentScanDto } from '@/lib/dto/environments';
import { ENVIRONMENT_COLOURS, type EnvironmentColour } from '@/lib/schemas/environments';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { useAction } from '@/components/ui/use-action';
import { ColourSwatch } from './colour-swatch';

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;
type Actions = { scan: Action<EnvironmentScanDto>; add: Action<EnvironmentDto>; remove: Action<{ id: string }> };

type Form = { name: string; colour: EnvironmentColour; endpoint: string; deployDir: string; privateKey: string };
const EMPTY: Form = { name: '', colour: 'blue', endpoint: '', deployDir: '', privateKey: '' };
type Kind = 'ssh' | 'tcp';
type Pems = { caCert: string; clientCert: string; clientKey: string };
const NO_PEMS: Pems = { caCert: '', clientCert: '', clientKey: '' };
const PEM_FIELDS: { key: keyof Pems; label: string; hint: string }[] = [
  { key: 'caCert', label: 'CA certificate', hint: "The CA that issued the engine's certificate (dockerd --tlscert); the host is verified against it and its name or address." },
  { key: 'clientCert', label: 'Client certificate', hint: "Issued by the CA the engine trusts (dockerd --tlscacert), with clientAuth." },
  { key: 'clientKey', label: 'Client key', hint: "The certificate's private key, without a passphrase; kept 0600 on this server and never shown again." },
];

const TEXTAREA =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs text-zinc-900 shadow-sm aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100';

/**
 * The environments list, the two-step add (scan → confirm the host key) and the removal with the
 * name typed again. The private key goes to the server once and is never sent back.
 */
export function EnvironmentsAdmin({ environments, actions }: { environments: EnvironmentDto[]; actions: Actions }) {
  const router = useRouter();
  const { errors, failure, busy, run, clear } = useAction();
  const [form, setForm] = useState<Form>(EMPTY);
  const [kind, setKind] = useState<Kind>('ssh');
  const [pems, setPems] = useState<Pems>(NO_PEMS);
  // Apart from the form: the scan's schema takes only what reaching the host needs.
  const [production, setProduction] = useState(false);
  const [adding, setAdding] = useState(false);
  const [scanned, setScanned] = useState<EnvironmentScanDto | null>(null);
  const [removing, setRemoving] = useState<EnvironmentDto | null>(null);
  const [confirmName, setConfirmName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const set = (patch: Partial<Form>) => (setForm((f) => ({ ...f, ...patch })), setScanned(null));

  const done = (dto: EnvironmentDto) => {
    setAdding(false);
    setScanned(null);
    setForm(EMPTY);
    setPems(NO_PEMS);
    setProduction(false);
    setMessage(`Added ${dto.name}.`);
    router.refresh();
  };
  const scan = () => run(actions.scan, form, (dto) => setScanned(dto));
  // TCP+TLS is one step: the CA decides trust, so there is no host key to confirm first.
  const addTcp = () => run(actions.add, { kind: 'tcp', name: form.name, colour: form.colour, endpoint: form.endpoint, ...pems, production }, done);
  // A chosen file only fills its textarea: the text is what is sent, and seen before it is.
  const readPem = (key: keyof Pems, file: File | undefined) => {
    if (file) void file.text().then((text) => setPems((p) => ({ ...p, [key]: text })));
  };
  const confirm = () =>
    run(actions.add, { ...form, production, hostKeyFingerprint: scanned?.hostKey.fingerprint }, done);
  const remove = () =>
    removing &&
    run(actions.remove, { id: removing.id, confirmName }, () => {
      setMessage(`Removed ${removing.name}.`);
      setRemoving(null);
      setConfirmName('');
      router.refresh();
    });

  return (
    <section className="space-y-4" data-testid="environments">
      <Table head={['Name', 'Endpoint', 'Deployment directory', 'Host key', 'Actions']}>
        {environments.map((e) => (
          <tr key={e.id} data-testid="environment-row">
            <Cell>
              <span className="flex items-center gap-2">
                <ColourSwatch colour={e.colour} />
                {e.name}
                {e.production && <Badge tone="bad">production</Badge>}
              </span>
            </Cell>
            <Cell>
              <span className="break-all">{e.endpoint ?? 'local Docker socket'}</span>
            </Cell>
            <Cell>
              <span className="break-all">{e.deployDir}</span>
            </Cell>
            <Cell>
              <span className="break-all font-mono text-xs">{e.hostKey ? `${e.hostKey.algorithm} ${e.hostKey.fingerprint}` : '—'}</span>
            </Cell>
            <Cell>
              {e.kind === 'local' ? (
                <span className="text-xs text-zinc-500 dark:text-zinc-400">always there</span>
              ) : (
                <Button variant="ghost" onClick={() => (clear(), setRemoving(e), setConfirmName(''))} aria-label={`Remove ${e.name}`}>
                  Remove
                </Button>
              )}
            </Cell>
          </tr>
        ))}
      </Table>
      {message && (
        <p role="status" className="text-sm" data-testid="environment-message">
          {message}
        </p>
      )}
      {removing && (
        <form
          className="space-y-3 rounded border border-red-200 p-4 dark:border-red-900"
          onSubmit={(ev) => {
            ev.preventDefault();
            remove();
          }}
        >
          <h2 className="font-medium">Remove {removing.name}</h2>
          <p className="text-sm">The console forgets this environment and deletes its private key or certificates. Nothing on the host changes.</p>
          <FormField id="environment-confirm-name" label={`Type ${removing.name} to confirm`} errors={errors.confirmName}>
            <Input value={confirmName} onChange={(ev) => setConfirmName(ev.target.value)} autoComplete="off" />
          </FormField>
          <div className="flex gap-2">
            <Button type="button" variant="secondary" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button type="submit" busy={busy} disabled={confirmName !== removing.name}>
              Remove environment
            </Button>
          </div>
        </form>
      )}
      {!adding ? (
        <Button onClick={() => (clear(), setAdding(true), setMessage(null))} data-testid="environment-add">
          Add environment
        </Button>
      ) : (
        <form
          className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
          data-testid="environment-form"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (kind === 'tcp') addTcp();
            else if (scanned) confirm();
            else scan();
          }}
        >
          <h2 className="font-medium">Add an environment</h2>
          <fieldset className="flex flex-wrap gap-4 text-sm" data-testid="environment-kind">
            <legend className="mb-1 font-medium">How the console reaches its Docker Engine</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="environment-kind" value="ssh" checked={kind === 'ssh'} onChange={() => (setKind('ssh'), clear(), setScanned(null))} />
              SSH (Docker and the project files, both through SSH)
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="environment-kind" value="tcp" checked={kind === 'tcp'} onChange={() => (setKind('tcp'), clear(), setScanned(null))} />
              TCP + TLS client certificate (project files kept on this console)
            </label>
          </fieldset>
          <div className="grid gap-3 sm:grid-cols-2">
            <FormField id="environment-name" label="Name" errors={errors.name}>
              <Input value={form.name} onChange={(ev) => set({ name: ev.target.value })} placeholder="staging" />
            </FormField>
            <FormField id="environment-colour" label="Colour" errors={errors.colour}>
              <Select value={form.colour} onChange={(ev) => set({ colour: ev.target.value as EnvironmentColour })}>
                {ENVIRONMENT_COLOURS.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </Select>
            </FormField>
            {kind === 'ssh' ? (
              <>
                <FormField id="environment-endpoint" label="SSH endpoint" errors={errors.endpoint} hint="ssh://user@host or ssh://user@host:port; the user needs access to Docker on the host.">
                  <Input value={form.endpoint} onChange={(ev) => set({ endpoint: ev.target.value })} placeholder="ssh://tale@staging.example.com" />
                </FormField>
                <FormField id="environment-deploy-dir" label="Deployment directory on the host" errors={errors.deployDir} hint="An absolute path the SSH user can write to.">
                  <Input value={form.deployDir} onChange={(ev) => set({ deployDir: ev.target.value })} placeholder="/srv/tale" />
                </FormField>
              </>
            ) : (
              <FormField
                id="environment-endpoint"
                label="Docker TLS endpoint"
                errors={errors.endpoint}
                hint="tcp://host or tcp://host:port (2376 by default), an engine started with --tlsverify. The project's files (.env, override, state) are kept on this console: the tale CLI on that host does not see them."
              >
                <Input value={form.endpoint} onChange={(ev) => set({ endpoint: ev.target.value })} placeholder="tcp://staging.example.com:2376" />
              </FormField>
            )}
          </div>
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" className="mt-1" checked={production} onChange={(ev) => setProduction(ev.target.checked)} data-testid="environment-production" />
            <span>
              Production
              <span className="block text-xs text-zinc-600 dark:text-zinc-400">Every page of this environment then carries a red PRODUCTION band.</span>
            </span>
          </label>
          {kind === 'ssh' ? (
            <FormField id="environment-private-key" label="Private key" errors={errors.privateKey} hint="OpenSSH or PEM; kept 0600 on this server and never shown again.">
              <textarea className={TEXTAREA} rows={4} value={form.privateKey} onChange={(ev) => set({ privateKey: ev.target.value })} spellCheck={false} autoComplete="off" />
            </FormField>
          ) : (
            PEM_FIELDS.map(({ key, label, hint }) => (
              <div key={key}>
                <FormField id={`environment-${key}`} label={label} errors={errors[key]} hint={`${hint} PEM text, or load it from a file.`}>
                  <textarea className={TEXTAREA} rows={4} value={pems[key]} onChange={(ev) => setPems((p) => ({ ...p, [key]: ev.target.value }))} spellCheck={false} autoComplete="off" />
                </FormField>
                <input type="file" accept=".pem,.crt,.key,.cert" className="mt-1 text-xs" aria-label={`${label} from a file`} onChange={(ev) => readPem(key, ev.target.files?.[0])} />
              </div>
            ))
          )}
          {failure && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="environment-error">
              {failure}
            </p>
          )}
          {scanned && (
            <div className="space-y-1 rounded bg-amber-50 p-3 text-sm dark:bg-amber-950/40" data-testid="environment-host-key">
              <p>
                {scanned.endpoint} presents this {scanned.hostKey.algorithm} host key:
              </p>
              <p className="break-all font-mono">{scanned.hostKey.fingerprint}</p>
              <p>Compare it with the host&apos;s own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host) before you confirm.</p>
            </div>
          )}
          <div className="flex gap-2">
            <Button type="button" variant="secondary" onClick={() => (setAdding(false), setScanned(null), clear())}>
              Cancel
            </Button>
            <Button type="submit" busy={busy}>
              {kind === 'tcp' ? 'Check the engine and add' : scanned ? 'Confirm host key and add' : 'Check the host'}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
