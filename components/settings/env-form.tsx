'use client';
import { useMemo, useState, useTransition, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { EnvPreviewDto, EnvValueDto, RegeneratedDto } from '@/lib/dto/settings';
import { ENV_GROUPS, REGENERATABLE_SECRETS, envKeyInfo, type RegeneratableSecret } from '@/lib/settings/env-catalog';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import { EnvDiffView } from './diff-view';
import type { SettingsAction } from './types';
import { ReviewDialog } from './review-dialog';
import { usePreviewSave } from './use-preview-save';
import { changeAction, readAction } from '@/lib/call-action';

type Props = {
  env: EnvValueDto[];
  /** Only admins change .env; anyone else sees the values (secrets masked) and nothing to save. */
  isAdmin: boolean;
  actions: {
    preview: SettingsAction<EnvPreviewDto>;
    save: SettingsAction;
    reveal: SettingsAction<{ key: string; value: string }>;
    regenerate: SettingsAction<RegeneratedDto>;
  };
};

// Keys the Domain & TLS form owns; shown there, not here.
const DOMAIN_KEYS = new Set(['HOST', 'SITE_URL', 'TLS_MODE', 'TLS_EMAIL', 'BASE_PATH']);

/** "Other" keys as raw KEY=value lines: the value is literal, everything after the first `=`. */
function parseRawLines(text: string): { values: Record<string, string>; error: string | null } {
  const values: Record<string, string> = {};
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { values, error: `Line ${i + 1} is not KEY=value` };
    values[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return { values, error: null };
}

export function EnvForm({ env, isAdmin, actions }: Props) {
  const router = useRouter();
  const toast = useToast();
  const byKey = useMemo(() => new Map(env.map((e) => [e.key, e])), [env]);
  const otherPlain = env.filter((e) => !envKeyInfo(e.key) && !e.secret);
  const otherSecret = env.filter((e) => !envKeyInfo(e.key) && e.secret);
  const rawInitial = otherPlain.map((e) => `${e.key}=${e.value ?? ''}`).join('\n');

  const [values, setValues] = useState<Record<string, string>>({});
  const [raw, setRaw] = useState(rawInitial);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [regen, setRegen] = useState<RegeneratableSecret | null>(null);
  const [regenBusy, startRegen] = useTransition();
  const flow = usePreviewSave(actions.preview, actions.save, 'Environment saved. Pending until the next deploy.');
  const [rawError, setRawError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!isAdmin) return;
    const edits: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(values)) {
      const current = byKey.get(key);
      // An untouched secret field is empty and means "keep"; an ordinary field is compared.
      if (current?.secret ? value !== '' : value !== (current?.value ?? '')) edits[key] = value;
    }
    const parsed = parseRawLines(raw);
    setRawError(parsed.error);
    if (parsed.error) return;
    for (const e of otherPlain) if (!Object.hasOwn(parsed.values, e.key)) edits[e.key] = null;
    for (const [key, value] of Object.entries(parsed.values)) if (byKey.get(key)?.value !== value) edits[key] = value;
    if (Object.keys(edits).length === 0) {
      toast('Nothing changed.');
      return;
    }
    flow.review({ edits });
  };

  const reveal = async (key: string) => {
    const res = await readAction(() => actions.reveal({ key }));
    if (res.ok) setRevealed((r) => ({ ...r, [key]: res.data.value }));
    else toast(res.message, 'error');
  };

  const field = (key: string) => {
    const info = envKeyInfo(key);
    const current = byKey.get(key);
    const secret = current?.secret ?? Boolean(info?.secret);
    const hint = (
      <>
        {info?.meaning} {info?.default && <>Default: <code>{info.default}</code>.</>}
      </>
    );
    return (
      <div key={key} className="space-y-1">
        <FormField id={`env-${key}`} label={key} errors={flow.errors[key]} hint={hint}>
          <Input
            name={key}
            type={secret && !revealed[key] ? 'password' : 'text'}
            autoComplete="off"
            readOnly={!isAdmin}
            placeholder={secret ? (current?.set ? (isAdmin ? 'set (hidden); type to replace' : 'set (hidden)') : 'not set') : info?.default}
            value={values[key] ?? (secret ? (revealed[key] ?? '') : (current?.value ?? ''))}
            onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
          />
        </FormField>
        {secret && isAdmin && current?.set && (
          <div className="flex flex-wrap gap-2">
            <Button type="button" variant="ghost" onClick={() => reveal(key)}>
              Reveal {key}
            </Button>
            {Object.hasOwn(REGENERATABLE_SECRETS, key) && (
              <Button type="button" variant="ghost" onClick={() => setRegen(key as RegeneratableSecret)}>
                Regenerate {key}
              </Button>
            )}
          </div>
        )}
      </div>
    );
  };

  // The filter hides the keys that do not match (by name or meaning); hidden fields keep their
  // edits, so filtering never loses typed values.
  const needle = filter.trim().toLowerCase();
  const matches = (key: string) => !needle || key.toLowerCase().includes(needle) || (envKeyInfo(key)?.meaning ?? '').toLowerCase().includes(needle);
  const groups = ENV_GROUPS.map((group) => ({ group, keys: group.keys.map((k) => k.key).filter((k) => !DOMAIN_KEYS.has(k)) })).filter((g) => g.keys.length > 0);
  const otherShown = !needle || [...otherSecret, ...otherPlain].some((e) => matches(e.key));
  const shownCount = groups.reduce((n, g) => n + g.keys.filter(matches).length, 0) + [...otherSecret, ...otherPlain].filter((e) => matches(e.key)).length;

  return (
    <>
    <div className="mb-4 max-w-md">
      <FormField id="env-filter" label="Filter keys" hint="Type part of a key or of its meaning, e.g. SMTP or secret.">
        <Input
          type="search"
          name="filter"
          autoComplete="off"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          // Enter here filters; it must not submit the environment form.
          onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
        />
      </FormField>
      <p aria-live="polite" data-testid="env-filter-count" className="mt-1 text-xs text-zinc-500">
        {needle ? `${shownCount} ${shownCount === 1 ? 'key matches' : 'keys match'}` : ''}
      </p>
    </div>
    <form onSubmit={submit} aria-label="Environment" className="space-y-6">
      {groups.map(({ group, keys }) => {
        const shown = keys.filter(matches);
        return (
          <fieldset key={group.id} className="space-y-3" hidden={shown.length === 0}>
            <legend className="text-base font-semibold">{group.title}</legend>
            {keys.map((k) => (
              <div key={k} hidden={!matches(k)}>
                {field(k)}
              </div>
            ))}
          </fieldset>
        );
      })}
      <fieldset className="space-y-3" hidden={!otherShown}>
        <legend className="text-base font-semibold">Other keys</legend>
        {otherSecret.map((e) => (
          <div key={e.key} hidden={!matches(e.key)}>
            {field(e.key)}
          </div>
        ))}
        <FormField
          id="env-raw"
          label="Other settings, one KEY=value per line"
          errors={rawError ? [rawError] : undefined}
          hint="Keys the console does not know are kept as they are. Remove a line to remove the key."
        >
          <textarea
            name="raw"
            readOnly={!isAdmin}
            rows={Math.max(3, otherPlain.length + 1)}
            value={raw}
            onChange={(e) => setRaw(e.target.value)}
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
          />
        </FormField>
        {Object.entries(flow.errors)
          .filter(([k]) => !byKey.has(k) || !envKeyInfo(k))
          .map(([k, msgs]) => (
            <p key={k} role="alert" className="text-xs text-red-600">
              {k}: {msgs.join(' ')}
            </p>
          ))}
      </fieldset>
      {isAdmin && (
        <>
          <Button type="submit" busy={flow.busy}>
            Review changes
          </Button>
          <ReviewDialog flow={flow} title="Save environment?" empty={flow.shown?.preview.diff.length === 0}>
            {flow.shown && <EnvDiffView diff={flow.shown.preview.diff} />}
          </ReviewDialog>
        </>
      )}

      <Dialog
        open={regen !== null}
        title={`Regenerate ${regen ?? ''}?`}
        onClose={() => setRegen(null)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setRegen(null)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={regenBusy}
              onClick={() =>
                startRegen(async () => {
                  const res = await changeAction(() => actions.regenerate({ key: regen, confirm: true }));
                  setRegen(null);
                  if (!res.ok) return toast(res.message, 'error');
                  toast(`${res.data.key} regenerated. Pending until the next deploy.`);
                  router.refresh();
                })
              }
            >
              Regenerate
            </Button>
          </>
        }
      >
        {regen && (
          <p>
            <Badge tone="warn">Breaks</Badge> {REGENERATABLE_SECRETS[regen]}
          </p>
        )}
      </Dialog>
    </form>
    </>
  );
}
