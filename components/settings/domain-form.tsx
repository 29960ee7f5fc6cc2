'use client';
import { useState, useTransition, type FormEvent } from 'react';
import type { DnsAnswerDto, EnvPreviewDto } from '@/lib/dto/settings';
import type { ActionResult } from '@/lib/action-result';
import { readAction } from '@/lib/call-action';
import { caddyConfig, nginxConfig } from '@/lib/settings/upstream-config';
import { DEFAULT_PROXY_PORTS, upstreamAddress, type ProxyPorts } from '@/lib/settings/proxy-ports';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { EnvDiffView } from './diff-view';
import type { SettingsAction } from './types';
import { ReviewDialog } from './review-dialog';
import { usePreviewSave } from './use-preview-save';

type Values = { HOST: string; SITE_URL: string; TLS_MODE: string; TLS_EMAIL: string; BASE_PATH: string };
type Props = {
  values: Values;
  projectId: string | null;
  /** Where the proxy publishes its ports (null: written by hand, the defaults are assumed). */
  proxyPorts: ProxyPorts | null;
  /** For an operator: the values shown, nothing to change or save. */
  readOnly: boolean;
  actions: { preview: SettingsAction<EnvPreviewDto>; save: SettingsAction; resolveHost: () => Promise<ActionResult<DnsAnswerDto>> };
};

const MODES = [
  {
    id: 'selfsigned',
    title: 'Self-signed',
    text: 'Caddy issues certificates from its own internal CA. Browsers warn until the CA is trusted.',
  },
  {
    id: 'letsencrypt',
    title: 'Let’s Encrypt',
    text: 'Trusted certificates issued and renewed automatically. Needs public ports 80 and 443 and DNS for HOST pointing at this server.',
  },
  {
    id: 'external',
    title: 'External',
    text: 'Your own reverse proxy terminates TLS; the Tale proxy serves plain HTTP on port 80 for exactly this host.',
  },
] as const;

export function DomainForm({ values, projectId, proxyPorts, readOnly, actions }: Props) {
  const [form, setForm] = useState<Values>(values);
  const [siteUrlEdited, setSiteUrlEdited] = useState(values.SITE_URL !== `https://${values.HOST}`);
  const [dns, setDns] = useState<DnsAnswerDto | string | null>(null);
  const [resolving, startResolve] = useTransition();
  const flow = usePreviewSave(actions.preview, actions.save, 'Domain and TLS saved. Pending until the next deploy.');
  const err = (k: keyof Values) => flow.errors[k];

  const set = (key: keyof Values, value: string) =>
    setForm((f) => {
      const next = { ...f, [key]: value };
      // SITE_URL follows HOST until someone edits it (e.g. for a port behind an external proxy).
      if (key === 'HOST' && !siteUrlEdited) next.SITE_URL = `https://${value.trim()}`;
      return next;
    });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!readOnly) flow.review({ ...form });
  };

  // The snippets reach Tale where its proxy publishes port 80 (Settings › Published ports).
  const ports = proxyPorts ?? DEFAULT_PROXY_PORTS;
  const upstream = { host: form.HOST, basePath: form.BASE_PATH.replace(/\/+$/, ''), upstream: upstreamAddress(ports) };
  const loopback = ports.bind === '127.0.0.1';

  return (
    <form onSubmit={submit} aria-label="Domain and TLS" className="space-y-4">
      <FormField id="HOST" label="Host (HOST)" errors={err('HOST')} hint="Bare hostname, e.g. tale.example.com">
        <Input name="HOST" readOnly={readOnly} value={form.HOST} onChange={(e) => set('HOST', e.target.value)} />
      </FormField>
      <FormField id="SITE_URL" label="Public URL (SITE_URL)" errors={err('SITE_URL')} hint="Derived from HOST; edit it for a non-standard port behind an external proxy.">
        <Input
          name="SITE_URL"
          readOnly={readOnly}
          value={form.SITE_URL}
          onChange={(e) => {
            setSiteUrlEdited(true);
            set('SITE_URL', e.target.value);
          }}
        />
      </FormField>
      <fieldset className="space-y-2" aria-describedby={err('TLS_MODE') ? 'TLS_MODE-error' : undefined}>
        <legend className="text-sm font-medium">TLS mode (TLS_MODE)</legend>
        {MODES.map((m) => (
          <label key={m.id} className="flex gap-2 rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800">
            <input
              type="radio"
              name="TLS_MODE"
              value={m.id}
              disabled={readOnly}
              checked={form.TLS_MODE === m.id}
              onChange={() => set('TLS_MODE', m.id)}
            />
            <span>
              <span className="font-medium">{m.title}</span> — {m.text}
            </span>
          </label>
        ))}
        {err('TLS_MODE') && (
          <p id="TLS_MODE-error" role="alert" className="text-xs text-red-600">
            {err('TLS_MODE')!.join(' ')}
          </p>
        )}
      </fieldset>

      {form.TLS_MODE === 'selfsigned' && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          To trust the internal CA on the host, run <code>docker exec {projectId ?? '<project-id>'}-proxy caddy trust</code>, or import the
          proxy’s <code>/data/caddy/pki/authorities/local/root.crt</code> into your browsers.
        </p>
      )}

      {form.TLS_MODE === 'letsencrypt' && (
        <div className="space-y-2">
          <FormField id="TLS_EMAIL" label="ACME contact (TLS_EMAIL)" errors={err('TLS_EMAIL')} hint={`Defaults to tls@${form.HOST || '<HOST>'}`}>
            <Input name="TLS_EMAIL" readOnly={readOnly} value={form.TLS_EMAIL} onChange={(e) => set('TLS_EMAIL', e.target.value)} />
          </FormField>
          <Button
            type="button"
            variant="secondary"
            busy={resolving}
            onClick={() =>
              startResolve(async () => {
                const res = await readAction(() => actions.resolveHost());
                setDns(res.ok ? res.data : res.message);
              })
            }
          >
            Check DNS for the saved HOST
          </Button>
          {dns !== null && (
            <p role="status" className="text-sm">
              {typeof dns === 'string'
                ? dns
                : dns.addresses.length > 0
                  ? `${dns.host} resolves to ${dns.addresses.join(', ')} from this server. Let’s Encrypt must reach this server on ports 80 and 443 at one of these addresses.`
                  : `${dns.host}: ${dns.error}. Let’s Encrypt cannot issue a certificate until HOST points here.`}
            </p>
          )}
        </div>
      )}

      <FormField
        id="BASE_PATH"
        label="Sub-path (BASE_PATH)"
        errors={err('BASE_PATH')}
        hint="Empty, or a path like /tale without a trailing slash. The Convex dashboard does not work under a sub-path."
      >
        <Input name="BASE_PATH" readOnly={readOnly} value={form.BASE_PATH} onChange={(e) => set('BASE_PATH', e.target.value)} />
      </FormField>

      {form.TLS_MODE === 'external' && (
        <details className="rounded border border-zinc-200 p-3 text-sm dark:border-zinc-800">
          <summary className="cursor-pointer font-medium">Configuration for your reverse proxy</summary>
          <p className="mt-2">
            {loopback ? (
              <>Tale&apos;s proxy listens on 127.0.0.1:{ports.http} only, so the proxy below runs on this server.</>
            ) : (
              <>
                Replace <code>tale-server</code> with the address of this server (Tale&apos;s proxy publishes HTTP on port {ports.http}).
              </>
            )}{' '}
            The proxy must pass the original Host, upgrade
            WebSockets and allow long requests; it must not strip {form.BASE_PATH || 'the sub-path'}.
          </p>
          <h4 className="mt-3 font-medium">nginx</h4>
          <pre tabIndex={0} data-testid="nginx-config" className="overflow-auto rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-950">
            {nginxConfig(upstream)}
          </pre>
          <h4 className="mt-3 font-medium">Caddy</h4>
          <pre tabIndex={0} data-testid="caddy-config" className="overflow-auto rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-950">
            {caddyConfig(upstream)}
          </pre>
        </details>
      )}

      {!readOnly && (
        <>
          <Button type="submit" busy={flow.busy}>
            Review changes
          </Button>
          <ReviewDialog flow={flow} title="Save domain and TLS?" empty={flow.shown?.preview.diff.length === 0}>
            {flow.shown && <EnvDiffView diff={flow.shown.preview.diff} />}
            <p className="mt-3 text-xs text-zinc-500">The change takes effect when the proxy and services are recreated (next deploy).</p>
          </ReviewDialog>
        </>
      )}
    </form>
  );
}
