'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import type { AlertChannelDto, AlertTestResultDto } from '@/lib/dto/alerts';
import { ALERT_EVENT_LABELS, ALERT_EVENTS, type AlertChannelKind, type AlertEventKind } from '@/lib/alerts/events';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { Cell, Table } from '@/components/ui/table';
import { useAction } from '@/components/ui/use-action';

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;
type Actions = { create: Action<AlertChannelDto>; update: Action<AlertChannelDto>; remove: Action<{ id: string }>; test: Action<AlertTestResultDto> };

type Form = {
  kind: AlertChannelKind;
  name: string;
  enabled: boolean;
  events: AlertEventKind[];
  url: string;
  secret: string;
  host: string;
  port: string;
  security: 'starttls' | 'tls' | 'none';
  user: string;
  password: string;
  from: string;
  to: string;
};

const EMPTY: Form = { kind: 'webhook', name: '', enabled: true, events: ['operation.failed'], url: '', secret: '', host: '', port: '587', security: 'starttls', user: '', password: '', from: '', to: '' };

function formOf(c: AlertChannelDto): Form {
  const s = c.settings as Record<string, unknown>;
  return {
    ...EMPTY,
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    events: c.events,
    url: c.kind === 'webhook' ? String(s.url ?? '') : '',
    host: c.kind === 'email' ? String(s.host ?? '') : '',
    port: c.kind === 'email' ? String(s.port ?? '') : EMPTY.port,
    security: c.kind === 'email' ? (s.security as Form['security']) : EMPTY.security,
    user: c.kind === 'email' ? String(s.user ?? '') : '',
    from: c.kind === 'email' ? String(s.from ?? '') : '',
    to: c.kind === 'email' ? (s.to as string[]).join(', ') : '',
  };
}

/** The input the server validates: empty secret fields are left out, so the stored ones are kept. */
function inputOf(f: Form): Record<string, unknown> {
  const common = { kind: f.kind, name: f.name, enabled: f.enabled, events: f.events };
  if (f.kind === 'webhook') return { ...common, url: f.url, ...(f.secret ? { secret: f.secret } : {}) };
  if (f.kind === 'slack') return { ...common, ...(f.url ? { url: f.url } : {}) };
  return {
    ...common,
    host: f.host,
    port: Number(f.port),
    security: f.security,
    ...(f.user ? { user: f.user } : {}),
    ...(f.password ? { password: f.password } : {}),
    from: f.from,
    to: f.to.split(/[,\s]+/).filter(Boolean),
  };
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const KIND_NAMES: Record<AlertChannelKind, string> = { webhook: 'Webhook (signed JSON)', slack: 'Slack-compatible webhook', email: 'Email (SMTP)' };

/**
 * The alert channels: admins add, edit, test and remove them; everyone else reads. Secrets are
 * never sent to the browser: their fields start empty and say whether one is stored.
 */
export function AlertChannels({ channels, canEdit, actions }: { channels: AlertChannelDto[]; canEdit: boolean; actions: Actions }) {
  const router = useRouter();
  const { errors, busy, run, clear } = useAction();
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [message, setMessage] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<{ id: string; result: AlertTestResultDto } | null>(null);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const current = editing && editing !== 'new' ? channels.find((c) => c.id === editing) : undefined;
  const err = (field: string) => errors[field] ?? errors[`channel.${field}`];

  const open = (c: AlertChannelDto | null) => {
    clear();
    setMessage(null);
    setForm(c ? formOf(c) : EMPTY);
    setEditing(c ? c.id : 'new');
  };
  const save = () => {
    const input = inputOf(form);
    const done = (dto: AlertChannelDto) => {
      setEditing(null);
      setMessage(`Saved ${dto.name}.`);
      router.refresh();
    };
    if (editing === 'new') run(actions.create, input, done);
    else run(actions.update, { id: editing, channel: input }, done);
  };
  const test = (c: AlertChannelDto) =>
    run(actions.test, { id: c.id }, (result) => {
      setTestResult({ id: c.id, result });
      router.refresh();
    });
  const remove = (c: AlertChannelDto) => {
    if (!window.confirm(`Remove the channel ${c.name}? Its delivery log stays.`)) return;
    run(actions.remove, { id: c.id }, () => (setMessage(`Removed ${c.name}.`), router.refresh()));
  };
  const toggleEvent = (e: AlertEventKind, on: boolean) => set({ events: on ? [...form.events, e] : form.events.filter((x) => x !== e) });
  const secretHint = (what: string) => (current?.secretSet && current.kind === form.kind ? `A ${what} is stored; leave empty to keep it.` : undefined);

  return (
    <section className="space-y-3" data-testid="alert-channels">
      <h2 className="font-semibold">Channels</h2>
      {channels.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No channels yet.{canEdit ? ' Add one to be told when an operation fails.' : ''}</p>
      ) : (
        <Table head={['Name', 'Kind', 'Sends to', 'Events', 'State', ...(canEdit ? ['Actions'] : [])]}>
          {channels.map((c) => (
            <tr key={c.id} data-testid="alert-channel-row">
              <Cell>{c.name}</Cell>
              <Cell>{KIND_NAMES[c.kind]}</Cell>
              <Cell>
                <span className="break-all">{c.target}</span>
              </Cell>
              <Cell>{c.events.length === ALERT_EVENTS.length ? 'all' : c.events.join(', ')}</Cell>
              <Cell>
                <Badge tone={c.enabled ? 'good' : 'neutral'}>{c.enabled ? 'enabled' : 'disabled'}</Badge>{' '}
                {c.kind !== 'email' || c.settings.user ? <Badge tone={c.secretSet ? 'neutral' : 'warn'}>{c.secretSet ? 'secret set' : 'no secret'}</Badge> : null}
                {testResult?.id === c.id && (
                  <p role="status" data-testid="alert-test-result" className={testResult.result.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}>
                    {testResult.result.ok ? `Test sent (${testResult.result.durationMs} ms).` : `Test failed: ${testResult.result.error}`}
                  </p>
                )}
              </Cell>
              {canEdit && (
                <Cell>
                  <div className="flex flex-wrap gap-2">
                    <Button variant="secondary" onClick={() => test(c)} busy={busy} aria-label={`Send test to ${c.name}`}>
                      Send test
                    </Button>
                    <Button variant="secondary" onClick={() => open(c)} aria-label={`Edit ${c.name}`}>
                      Edit
                    </Button>
                    <Button variant="ghost" onClick={() => remove(c)} aria-label={`Remove ${c.name}`}>
                      Remove
                    </Button>
                  </div>
                </Cell>
              )}
            </tr>
          ))}
        </Table>
      )}
      {message && (
        <p role="status" className="text-sm" data-testid="alert-message">
          {message}
        </p>
      )}
      {canEdit && editing === null && (
        <Button onClick={() => open(null)} data-testid="alert-add">
          Add channel
        </Button>
      )}
      {canEdit && editing !== null && (
        <form
          className="space-y-3 rounded border border-zinc-200 p-4 dark:border-zinc-800"
          data-testid="alert-form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <h3 className="font-medium">{editing === 'new' ? 'Add a channel' : `Edit ${current?.name ?? ''}`}</h3>
          <div className="grid gap-3 sm:grid-cols-2">
            <FormField id="alert-kind" label="Kind" errors={err('kind')}>
              <Select value={form.kind} onChange={(e) => set({ kind: e.target.value as AlertChannelKind })}>
                {(Object.keys(KIND_NAMES) as AlertChannelKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_NAMES[k]}
                  </option>
                ))}
              </Select>
            </FormField>
            <FormField id="alert-name" label="Name" errors={err('name')}>
              <Input value={form.name} onChange={(e) => set({ name: e.target.value })} />
            </FormField>
            {form.kind === 'webhook' && (
              <>
                <FormField id="alert-url" label="URL" errors={err('url')} hint="Receives a JSON POST signed with the secret (docs/alerts.md).">
                  <Input value={form.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://hooks.example.com/tale" />
                </FormField>
                <FormField id="alert-secret" label="Signing secret" errors={err('secret')} hint={secretHint('secret') ?? 'At least 16 characters; the receiver checks the signature with it.'}>
                  <Input type="password" autoComplete="off" value={form.secret} onChange={(e) => set({ secret: e.target.value })} />
                </FormField>
                <div className="sm:col-span-2">
                  <Button type="button" variant="secondary" onClick={() => set({ secret: randomSecret() })}>
                    Generate a secret
                  </Button>
                  {form.secret && <p className="mt-1 break-all font-mono text-xs" data-testid="alert-secret-shown">{form.secret}</p>}
                </div>
              </>
            )}
            {form.kind === 'slack' && (
              <FormField id="alert-url" label="Slack webhook URL" errors={err('url')} hint={secretHint('webhook URL') ?? 'The URL is its credential: it is kept like a secret and shown as its host only.'}>
                <Input type="password" autoComplete="off" value={form.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://hooks.slack.com/services/…" />
              </FormField>
            )}
            {form.kind === 'email' && (
              <>
                <FormField id="alert-host" label="SMTP host" errors={err('host')}>
                  <Input value={form.host} onChange={(e) => set({ host: e.target.value })} placeholder="smtp.example.com" />
                </FormField>
                <FormField id="alert-port" label="Port" errors={err('port')}>
                  <Input type="number" min={1} max={65535} value={form.port} onChange={(e) => set({ port: e.target.value })} />
                </FormField>
                <FormField id="alert-security" label="Security" errors={err('security')}>
                  <Select value={form.security} onChange={(e) => set({ security: e.target.value as Form['security'] })}>
                    <option value="starttls">STARTTLS (usually port 587)</option>
                    <option value="tls">TLS (usually port 465)</option>
                    <option value="none">None (a relay on this host)</option>
                  </Select>
                </FormField>
                <FormField id="alert-user" label="User (empty: no sign-in)" errors={err('user')}>
                  <Input value={form.user} autoComplete="off" onChange={(e) => set({ user: e.target.value })} />
                </FormField>
                <FormField id="alert-password" label="Password" errors={err('password')} hint={secretHint('password')}>
                  <Input type="password" autoComplete="off" value={form.password} onChange={(e) => set({ password: e.target.value })} />
                </FormField>
                <FormField id="alert-from" label="From" errors={err('from')}>
                  <Input value={form.from} onChange={(e) => set({ from: e.target.value })} placeholder="tale@example.com" />
                </FormField>
                <FormField id="alert-to" label="To (comma-separated)" errors={err('to') ?? err('to.0')}>
                  <Input value={form.to} onChange={(e) => set({ to: e.target.value })} placeholder="ops@example.com" />
                </FormField>
              </>
            )}
          </div>
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium">Events</legend>
            {ALERT_EVENTS.map((e) => (
              <label key={e} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={form.events.includes(e)} onChange={(ev) => toggleEvent(e, ev.target.checked)} />
                {ALERT_EVENT_LABELS[e]}
              </label>
            ))}
            {err('events') && (
              <p role="alert" className="text-xs text-red-600 dark:text-red-400">
                {err('events')!.join(' ')}
              </p>
            )}
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
            Enabled
          </label>
          <div className="flex gap-2">
            <Button type="submit" busy={busy} data-testid="alert-save">
              Save channel
            </Button>
            <Button type="button" variant="secondary" onClick={() => setEditing(null)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
