'use client';
import { useState, type FormEvent } from 'react';
import type { PinPreviewDto } from '@/lib/dto/settings';
import { PORT_BINDS, type PortBind, type ProxyPorts } from '@/lib/settings/proxy-ports';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { LineDiffView } from './diff-view';
import type { SettingsAction } from './types';
import { ReviewDialog } from './review-dialog';
import { usePreviewSave } from './use-preview-save';

type Props = {
  /** null: the file lists the ports in a way this form cannot show (edited by hand). */
  ports: ProxyPorts | null;
  overrideFile: string;
  problem: string | null;
  readOnly: boolean;
  actions: { preview: SettingsAction<PinPreviewDto>; save: SettingsAction };
};

const BIND_LABELS: Record<PortBind, string> = {
  '': 'Every address (default)',
  '127.0.0.1': '127.0.0.1 only: behind another proxy on this server',
  '0.0.0.0': '0.0.0.0 (every IPv4 address)',
  '::': ':: (every IPv6 address)',
};

/**
 * The proxy's published ports, written to compose.override.yml as `ports: !override`. Bound to
 * 127.0.0.1, Tale is reachable only through a proxy on the same server (TLS_MODE=external).
 */
export function PortsForm({ ports, overrideFile, problem, readOnly, actions }: Props) {
  const [form, setForm] = useState({ bind: ports?.bind ?? '', http: String(ports?.http ?? 80), https: String(ports?.https ?? 443) });
  const flow = usePreviewSave(actions.preview, actions.save, `${overrideFile} saved. Pending until the proxy is recreated (Apply now).`);
  if (problem) return null; // The image pins above say what is wrong with the file.

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!readOnly) flow.review({ ...form });
  };
  const err = (k: string) => (flow.shown ? undefined : flow.errors[k]);

  return (
    <form onSubmit={submit} aria-label="Published ports" className="space-y-4">
      {ports === null && (
        <p role="note" className="text-sm text-amber-800 dark:text-amber-300">
          {overrideFile} lists the proxy&apos;s ports in a way this form cannot show; saving here replaces them with the two below.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-3">
        <FormField id="ports-bind" label="Listen on" errors={err('bind')}>
          <Select name="bind" disabled={readOnly} value={form.bind} onChange={(e) => setForm((f) => ({ ...f, bind: e.target.value as PortBind }))}>
            {PORT_BINDS.map((b) => (
              <option key={b} value={b}>
                {BIND_LABELS[b]}
              </option>
            ))}
          </Select>
        </FormField>
        <FormField id="ports-http" label="HTTP port" errors={err('http')}>
          <Input name="http" inputMode="numeric" readOnly={readOnly} value={form.http} onChange={(e) => setForm((f) => ({ ...f, http: e.target.value }))} />
        </FormField>
        <FormField id="ports-https" label="HTTPS port" errors={err('https')}>
          <Input name="https" inputMode="numeric" readOnly={readOnly} value={form.https} onChange={(e) => setForm((f) => ({ ...f, https: e.target.value }))} />
        </FormField>
      </div>
      {!readOnly && (
        <>
          <Button type="submit" busy={flow.busy}>
            Review changes
          </Button>
          <ReviewDialog flow={flow} title={`Save ${overrideFile}?`}>
            {flow.shown && (
              <>
                <p className="mb-2">{flow.shown.preview.effect}</p>
                <LineDiffView diff={flow.shown.preview.diff} />
              </>
            )}
          </ReviewDialog>
        </>
      )}
    </form>
  );
}
