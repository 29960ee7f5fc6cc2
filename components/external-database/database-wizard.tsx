'use client';
import { useState, type ReactNode } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import type {
  CheckDto,
  ChecksDto,
  ConfigureResultDto,
  ConnectionDto,
  CopyStatusDto,
  DatabaseModeDto,
  PrepareResultDto,
  PrepareStepDto,
  VerifyResultDto,
} from '@/lib/dto/external-database';
import { SSL_MODES, type SslMode } from '@/lib/schemas/external-database';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { FormField } from '@/components/ui/form-field';
import { Input, Select } from '@/components/ui/input';
import { useToast } from '@/components/ui/toast';
import { useAction } from '@/components/ui/use-action';
import { CopyDataStep } from './copy-data-step';

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;
type Props = {
  mode: DatabaseModeDto;
  /** What the running services use (database-in-use.tsx); the mode below is what the files choose. */
  inUse?: ReactNode;
  actions: {
    test: Action<ConnectionDto>;
    check: Action<ChecksDto>;
    preview: Action<PrepareStepDto[]>;
    prepare: Action<PrepareResultDto | { refused: ChecksDto }>;
    configure: Action<ConfigureResultDto>;
    copy: Action<{ id: string }>;
    copyStatus: Action<CopyStatusDto>;
    verify: Action<VerifyResultDto>;
    useBundled: Action<{ warnings: string[]; backups: string[] }>;
  };
};

const STEPS = ['Connect', 'Check', 'Prepare', 'Copy data', 'Configure', 'Verify'] as const;
type Step = (typeof STEPS)[number];

type Fields = { host: string; port: string; user: string; password: string; database: string; sslMode: SslMode; caCert: string };
const EMPTY: Fields = { host: '', port: '5432', user: 'postgres', password: '', database: 'postgres', sslMode: 'disable', caCert: '' };

const STATE_TONE = { created: 'good', changed: 'good', 'already-present': 'neutral', skipped: 'warn', failed: 'bad', pending: 'neutral' } as const;
const STATE_TEXT = { created: 'created', changed: 'applied', 'already-present': 'already present', skipped: 'skipped', failed: 'failed', pending: 'to run' } as const;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 className="text-base font-semibold">{title}</h2>
      {children}
    </section>
  );
}

/** The last failure of the step on screen, kept beside it (a toast fades); field messages sit on their fields instead. */
function StepError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" data-testid="step-error" className="rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-700 dark:border-red-800 dark:bg-red-950 dark:text-red-300">
      {message}
    </p>
  );
}

function CheckList({ checks }: { checks: CheckDto[] }) {
  return (
    <ul className="space-y-2" aria-label="Checks">
      {checks.map((c) => (
        <li key={c.id} className="text-sm" data-check={c.id}>
          <Badge tone={c.status === 'pass' ? 'good' : c.status === 'warn' ? 'warn' : 'bad'}>{c.status === 'warn' ? 'optional' : c.status}</Badge>{' '}
          <span className="font-medium">{c.title}</span>: {c.detail}
          {c.fix && <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Fix: {c.fix}</p>}
        </li>
      ))}
    </ul>
  );
}

function StepList({ steps }: { steps: PrepareStepDto[] }) {
  return (
    <ol className="space-y-2" aria-label="Statements">
      {steps.map((s) => (
        <li key={s.id} className="text-sm" data-step={s.id}>
          <div className="flex items-center gap-2">
            <Badge tone={STATE_TONE[s.state]}>{STATE_TEXT[s.state]}</Badge>
            <span>{s.title}</span>
            <span className="text-xs text-zinc-500">in {s.database === 'admin' ? 'the admin database' : s.database}</span>
          </div>
          <pre tabIndex={0} className="mt-1 overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-900">{s.sql}</pre>
          {s.detail && <p className="text-xs text-zinc-600 dark:text-zinc-400">{s.detail}</p>}
        </li>
      ))}
    </ol>
  );
}

export function DatabaseWizard({ mode, inUse, actions }: Props) {
  const router = useRouter();
  const { href } = useEnvironment();
  const toast = useToast();
  const [step, setStepState] = useState<Step>('Connect');
  const [useUrl, setUseUrl] = useState(false);
  const [url, setUrl] = useState('');
  const [fields, setFields] = useState<Fields>(EMPTY);
  // Tests, checks, previews and the verification change nothing: sent again after a lost connection.
  const { errors, failure, clear, busy: pending, run: call, read } = useAction();
  // A failure belongs to the step it happened in: moving on or back leaves it behind.
  const setStep = (next: Step) => (clear(), setStepState(next));
  // Shown beside the step unless it already stands beside its field.
  const stepFailure = failure && !errors.host?.length && !errors.url?.length ? failure : null;
  const [conn, setConn] = useState<ConnectionDto | null>(null);
  const [checks, setChecks] = useState<ChecksDto | null>(null);
  const [role, setRole] = useState('tale');
  const [rotate, setRotate] = useState(false);
  const [plan, setPlan] = useState<PrepareStepDto[] | null>(null);
  const [prepared, setPrepared] = useState<PrepareResultDto | null>(null);
  // Kept only in this tab's memory, between prepare and configure; it goes into .env, never on screen.
  const [rolePassword, setRolePassword] = useState<string | null>(null);
  const [configured, setConfigured] = useState<ConfigureResultDto | null>(null);
  const [verified, setVerified] = useState<VerifyResultDto | null>(null);
  const [confirmBundled, setConfirmBundled] = useState(false);

  const caCert = fields.caCert.trim() || undefined;
  const connection = () =>
    useUrl
      ? { kind: 'url', url, ...(caCert ? { caCert } : {}) }
      : { kind: 'fields', host: fields.host, port: fields.port, user: fields.user, password: fields.password, database: fields.database, sslMode: fields.sslMode, ...(caCert && fields.sslMode === 'verify-full' ? { caCert } : {}) };

  const roleInput = () => ({ connection: connection(), role, ...(rolePassword ? { rolePassword } : {}) });
  const toConfigure = () => (setStep('Configure'), call(actions.configure, { ...roleInput(), apply: false }, setConfigured));

  const set = (key: keyof Fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: e.target.value }));
  const restart = () => {
    setConn(null);
    setChecks(null);
    setPlan(null);
    setPrepared(null);
    setConfigured(null);
    setVerified(null);
  };

  return (
    <div className="space-y-6">
      <Section title="Current database">
        {mode.problem && <p className="text-sm text-red-600">{mode.problem}</p>}
        {inUse}
        <p className="text-sm" data-testid="database-mode">
          Configured for the next deploy:{' '}
          {mode.mode === 'external' ? (
            <>
              External PostgreSQL{mode.external ? ` at ${mode.external.host}:${mode.external.port} as ${mode.external.user}` : ''}; the bundled db is
              disabled in {mode.overrideFile ?? 'compose.override.yml'}.
            </>
          ) : (
            <>The bundled PostgreSQL container (db).</>
          )}
        </p>
        {mode.mode === 'external' && (
          <Button variant="secondary" onClick={() => setConfirmBundled(true)}>
            Go back to the bundled database
          </Button>
        )}
      </Section>

      <nav aria-label="Wizard steps">
        <ol className="flex flex-wrap gap-2 text-sm">
          {STEPS.map((s, i) => (
            <li key={s}>
              <span aria-current={s === step ? 'step' : undefined} className={s === step ? 'font-semibold text-indigo-600' : 'text-zinc-500'}>
                {i + 1}. {s}
              </span>
            </li>
          ))}
        </ol>
      </nav>

      {step === 'Connect' && (
        <Section title="1. Connect as an admin of the external server">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The admin password is used for these steps only; the console does not store it.
          </p>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={useUrl} onChange={(e) => setUseUrl(e.target.checked)} /> Paste a connection URL instead
          </label>
          {useUrl ? (
            <FormField id="pg-url" label="Connection URL" errors={errors.url} hint="postgresql://user:password@host:5432/postgres?sslmode=require">
              <Input value={url} onChange={(e) => setUrl(e.target.value)} type="password" autoComplete="off" />
            </FormField>
          ) : (
            <div className="grid gap-3 sm:grid-cols-2">
              <FormField id="pg-host" label="Host" errors={errors.host}>
                <Input value={fields.host} onChange={set('host')} autoComplete="off" />
              </FormField>
              <FormField id="pg-port" label="Port" errors={errors.port}>
                <Input value={fields.port} onChange={set('port')} inputMode="numeric" />
              </FormField>
              <FormField id="pg-user" label="Admin user" errors={errors.user}>
                <Input value={fields.user} onChange={set('user')} autoComplete="off" />
              </FormField>
              <FormField id="pg-password" label="Admin password" errors={errors.password}>
                <Input value={fields.password} onChange={set('password')} type="password" autoComplete="off" />
              </FormField>
              <FormField id="pg-database" label="Admin database" errors={errors.database}>
                <Input value={fields.database} onChange={set('database')} />
              </FormField>
              <FormField id="pg-sslmode" label="SSL mode" errors={errors.sslMode}>
                <Select value={fields.sslMode} onChange={set('sslMode')}>
                  {SSL_MODES.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </Select>
              </FormField>
            </div>
          )}
          {(useUrl || fields.sslMode === 'verify-full') && (
            <FormField id="pg-ca" label="CA certificate (PEM, for verify-full)" errors={errors.caCert}>
              <textarea
                value={fields.caCert}
                onChange={set('caCert')}
                rows={4}
                className="block w-full rounded-md border border-zinc-300 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
              />
            </FormField>
          )}
          <div className="flex gap-2">
            <Button busy={pending} onClick={() => (restart(), read(actions.test, connection(), setConn))}>
              Test connection
            </Button>
            <Button variant="secondary" disabled={!conn || pending} onClick={() => read(actions.check, connection(), (d) => (setChecks(d), setStep('Check')))}>
              Next: checks
            </Button>
          </div>
          <StepError message={stepFailure} />
          {conn && (
            <p className="text-sm" role="status" data-testid="connection-status">
              Connected: PostgreSQL {conn.serverVersion}, {conn.tls ? 'over TLS' : 'without TLS'}
              {conn.tlsRequired ? ' (the server requires TLS)' : ''}.
            </p>
          )}
        </Section>
      )}

      {step === 'Check' && checks && (
        <Section title="2. Check the server">
          <CheckList checks={checks.checks} />
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setStep('Connect')}>
              Back
            </Button>
            <Button variant="secondary" busy={pending} onClick={() => read(actions.check, connection(), setChecks)}>
              Check again
            </Button>
            <Button disabled={!checks.ok} onClick={() => setStep('Prepare')}>
              Next: prepare
            </Button>
          </div>
          <StepError message={stepFailure} />
          {!checks.ok && <p className="text-sm text-red-600">Fix the failed checks first; optional ones may stay as they are.</p>}
        </Section>
      )}

      {step === 'Prepare' && (
        <Section title="3. Prepare the server">
          <div className="grid gap-3 sm:grid-cols-2">
            <FormField id="pg-role" label="Service role" errors={errors.role} hint="Tale's services sign in as this role; a password is generated.">
              <Input value={role} onChange={(e) => (setRole(e.target.value), setPlan(null))} />
            </FormField>
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" checked={rotate} onChange={(e) => (setRotate(e.target.checked), setPlan(null))} /> Set a new password if the role exists
            </label>
          </div>
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setStep('Check')}>
              Back
            </Button>
            <Button variant="secondary" busy={pending} onClick={() => read(actions.preview, { connection: connection(), role, rotatePassword: rotate }, (d) => (setPlan(d), setPrepared(null)))}>
              Show statements
            </Button>
            <Button
              disabled={!plan || pending}
              onClick={() =>
                call(actions.prepare, { connection: connection(), role, rotatePassword: rotate }, (d) => {
                  if ('refused' in d) {
                    setChecks(d.refused);
                    setStep('Check');
                    return;
                  }
                  setPrepared(d);
                  if (d.rolePassword) setRolePassword(d.rolePassword);
                })
              }
            >
              Run statements
            </Button>
          </div>
          <StepError message={stepFailure} />
          {prepared ? <StepList steps={prepared.steps} /> : plan && <StepList steps={plan} />}
          {prepared && prepared.passwordSource === 'unknown' && !rolePassword && (
            <p className="text-sm text-red-600">
              The role already existed and its password is not in .env: tick “Set a new password” and run again.
            </p>
          )}
          {prepared?.ok && (prepared.passwordSource !== 'unknown' || rolePassword) && (
            <Button onClick={() => setStep('Copy data')}>Next: existing data</Button>
          )}
        </Section>
      )}

      {step === 'Copy data' && (
        <Section title="4. Copy existing data (optional)">
          <CopyDataStep input={roleInput()} actions={{ copy: actions.copy, status: actions.copyStatus }} onBack={() => setStep('Prepare')} onNext={toConfigure} />
        </Section>
      )}

      {step === 'Configure' && (
        <Section title="5. Configure the deployment">
          {configured ? (
            <>
              <h3 className="text-sm font-medium">.env</h3>
              {configured.envChanges.length === 0 ? (
                <p className="text-sm">No change: .env already holds these URLs.</p>
              ) : (
                <pre tabIndex={0} className="overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-900" data-testid="env-diff">
                  {configured.envChanges
                    .flatMap((c) => [...(c.before ? [`- ${c.key}=${c.before}`] : []), ...(c.after ? [`+ ${c.key}=${c.after}`] : [])])
                    .join('\n')}
                </pre>
              )}
              <h3 className="text-sm font-medium">{configured.overrideFile}</h3>
              <pre tabIndex={0} className="overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-900" data-testid="override-diff">
                {configured.overrideDiff.join('\n')}
              </pre>
              {configured.warnings.length > 0 && (
                <ul className="list-disc space-y-1 pl-5 text-sm text-amber-700 dark:text-amber-400">
                  {configured.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
              {configured.applied ? (
                <>
                  <p className="text-sm" role="status" data-testid="configure-status">
                    Written{configured.backups.length ? `; previous files kept in ${configured.backups.join(', ')}` : ''}. The next deploy runs no db container.
                  </p>
                  <Button onClick={() => (setStep('Verify'), read(actions.verify, caCert ? { caCert } : {}, setVerified))}>Next: verify</Button>
                </>
              ) : (
                <div className="flex gap-2">
                  <Button variant="secondary" onClick={() => setStep('Copy data')}>
                    Back
                  </Button>
                  <Button
                    busy={pending}
                    onClick={() => call(actions.configure, { ...roleInput(), apply: true }, (d) => (setConfigured(d), router.refresh()))}
                  >
                    Write these changes
                  </Button>
                </div>
              )}
            </>
          ) : (
            !stepFailure && <p className="text-sm">Computing the changes…</p>
          )}
          <StepError message={stepFailure} />
          {!configured && stepFailure && (
            <Button variant="secondary" onClick={() => setStep('Copy data')}>
              Back
            </Button>
          )}
        </Section>
      )}

      {step === 'Verify' && (
        <Section title="6. Verify as the service role">
          {verified ? (
            <ul className="space-y-2" aria-label="Verification">
              {verified.items.map((i) => (
                <li key={i.target} className="text-sm">
                  <Badge tone={i.ok ? 'good' : 'bad'}>{i.ok ? 'ok' : 'failed'}</Badge> <span className="font-medium">{i.target}</span>: {i.detail}
                </li>
              ))}
            </ul>
          ) : (
            !stepFailure && <p className="text-sm">Verifying…</p>
          )}
          <StepError message={stepFailure} />
          <Button variant="secondary" busy={pending} onClick={() => read(actions.verify, caCert ? { caCert } : {}, setVerified)}>
            Verify again
          </Button>
          {verified?.ok && (
            <p className="text-sm">
              <Link href={href('/deployments')} className="font-medium text-indigo-600 underline dark:text-indigo-400">
                Deploy from Deployments
              </Link>{' '}
              to start Tale on the external database.
            </p>
          )}
        </Section>
      )}

      <Dialog open={confirmBundled} title="Go back to the bundled database?" onClose={() => setConfirmBundled(false)}>
        <div className="space-y-4">
          <p>
            POSTGRES_URL, RAG_DATABASE_URL and CRAWLER_DATABASE_URL are removed from .env and the bundled db is enabled again in the override
            (both files are backed up). The next deploy starts the bundled db with its own data; nothing is copied back from the external
            server.
          </p>
          <CancelConfirmButtons
            onCancel={() => setConfirmBundled(false)}
            variant="danger"
            busy={pending}
            onConfirm={() =>
              call(actions.useBundled, { confirm: true }, (d) => {
                setConfirmBundled(false);
                for (const w of d.warnings) toast(w);
                toast('The bundled database is configured again.');
                router.refresh();
              })
            }
          >
            Use the bundled database
          </CancelConfirmButtons>
        </div>
      </Dialog>
    </div>
  );
}
