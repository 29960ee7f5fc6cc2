import type { ReactNode } from 'react';
import Link from 'next/link';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/shell/page-header';
import { ApplyNow } from '@/components/settings/apply-now';
import { DomainForm } from '@/components/settings/domain-form';
import { EnvForm } from '@/components/settings/env-form';
import { HistoryList } from '@/components/settings/history-list';
import { InitialiseForm } from '@/components/settings/initialise-form';
import { FreshRestoreForm } from '@/components/settings/fresh-restore-form';
import { PinsForm } from '@/components/settings/pins-form';
import { PortsForm } from '@/components/settings/ports-form';
import { withEnv } from '@/lib/env-href';
import { requirePageContext } from '@/server/auth/session';
import { getSettings } from '@/server/services/settings/settings';
import {
  applyNowAction,
  previewApplyAction,
  initialiseAction,
  freshHostBackupsAction,
  freshHostRestoreAction,
  previewDomainAction,
  previewEnvAction,
  previewPinAction,
  previewPortsAction,
  savePortsAction,
  regenerateSecretAction,
  resolveHostAction,
  restoreVersionAction,
  revealSecretAction,
  saveDomainAction,
  saveEnvAction,
  savePinAction,
} from './actions';

export const metadata = { title: 'Settings' };

const READ_ONLY_REASON = 'Only admins can change settings: these values decide which code receives every secret.';
export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

// The page is long (the environment alone lists every key): a navigation that stays at the top
// while scrolling, and anchors the headings scroll to below it.
const SECTIONS = [
  { id: 'domain', title: 'Domain and TLS' },
  { id: 'ports', title: 'Published ports' },
  { id: 'environment', title: 'Environment' },
  { id: 'pins', title: 'Image pins' },
  { id: 'database', title: 'Database' },
  { id: 'history', title: 'History' },
] as const;

function SectionNav() {
  return (
    <nav
      aria-label="Settings sections"
      data-testid="settings-nav"
      className="sticky top-0 z-10 -mx-1 mb-6 overflow-x-auto border-b border-zinc-200 bg-white/95 px-1 py-2 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95"
    >
      <ul className="flex gap-1 text-sm whitespace-nowrap">
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <a
              href={`#${s.id}`}
              className="block rounded px-2 py-1 text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-300 dark:hover:bg-zinc-800"
            >
              {s.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Section({ id, title, children }: { id: (typeof SECTIONS)[number]['id']; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mb-10">
      <h2 id={id} className="mb-3 scroll-mt-16 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default async function SettingsPage({ searchParams }: { searchParams: Search }) {
  const { rt, caller } = await requirePageContext(await searchParams, 'operator');
  // Every action this page hands its forms acts on the page's environment: its files, its pending marks,
  // and (for the fresh-host restore) its own backup repository.
  const env = rt.environment.id;
  const settings = await getSettings(rt, caller);
  // Admins write and apply; operators read the same values (secrets masked) and nothing more.
  const isAdmin = caller.user?.role === 'admin';

  if (!settings.initialised) {
    return (
      <>
        <PageHeader title="Settings" />
        <EmptyState title="No Tale project here yet">
          {settings.deployDir} has {settings.hasTaleJson ? 'a tale.json but no .env' : 'no tale.json'}. Answer two questions (three for Let&apos;s Encrypt, which needs a contact email) to create
          it, as <code>tale init</code> would; a directory made by the CLI is used as it is.
        </EmptyState>
        {/* The overview's first-run hint links here. */}
        <div id="initialise" className="mt-6 scroll-mt-4">
          <InitialiseForm initialise={initialiseAction.bind(null, env)} canInitialise={isAdmin} />
        </div>
        {/* The second path: this host replaces one that was backed up (docs/backups.md#restore-into-a-new-host). */}
        {isAdmin && !settings.hasTaleJson && <FreshRestoreForm actions={{ list: freshHostBackupsAction.bind(null, env), restore: freshHostRestoreAction.bind(null, env) }} />}
      </>
    );
  }

  const value = (key: string) => settings.env.find((e) => e.key === key)?.value ?? '';

  return (
    <>
      <PageHeader title="Settings">
        {settings.deployDir}. Changes are written to the files at once and take effect at the next deploy.
      </PageHeader>
      {!isAdmin && (
        <p role="note" data-testid="settings-read-only" className="mb-6 rounded border border-zinc-300 bg-zinc-50 p-3 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          {READ_ONLY_REASON}
        </p>
      )}
      <SectionNav />
      {(settings.pending.proxy || settings.pending.colors) && <ApplyNow pending={settings.pending} actions={isAdmin ? { preview: previewApplyAction.bind(null, env), apply: applyNowAction.bind(null, env) } : null} />}
      <Section id="domain" title="Domain and TLS">
        <DomainForm
          values={{ HOST: value('HOST'), SITE_URL: value('SITE_URL'), TLS_MODE: value('TLS_MODE') || 'selfsigned', TLS_EMAIL: value('TLS_EMAIL'), BASE_PATH: value('BASE_PATH') }}
          projectId={settings.projectId}
          proxyPorts={settings.proxyPorts}
          readOnly={!isAdmin}
          actions={{ preview: previewDomainAction.bind(null, env), save: saveDomainAction.bind(null, env), resolveHost: resolveHostAction.bind(null, env) }}
        />
      </Section>
      <Section id="ports" title="Published ports">
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          Where the proxy listens on this server. Behind another proxy on the same server, listen on 127.0.0.1 and point it at the HTTP
          port (the snippets under Domain and TLS use it).
        </p>
        <PortsForm
          ports={settings.proxyPorts}
          overrideFile={settings.overrideFile}
          problem={settings.overrideProblem}
          readOnly={!isAdmin}
          actions={{ preview: previewPortsAction.bind(null, env), save: savePortsAction.bind(null, env) }}
        />
      </Section>
      <Section id="environment" title="Environment">
        <EnvForm
          env={settings.env}
          isAdmin={isAdmin}
          actions={{ preview: previewEnvAction.bind(null, env), save: saveEnvAction.bind(null, env), reveal: revealSecretAction.bind(null, env), regenerate: regenerateSecretAction.bind(null, env) }}
        />
      </Section>
      <Section id="pins" title="Image pins">
        <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
          A pinned service runs the image written in {settings.overrideFile}, whatever version is deployed.
        </p>
        <PinsForm
          pins={settings.pins}
          overrideFile={settings.overrideFile}
          problem={settings.overrideProblem}
          readOnly={!isAdmin}
          actions={{ preview: previewPinAction.bind(null, env), save: savePinAction.bind(null, env) }}
        />
      </Section>
      <Section id="database" title="Database">
        {isAdmin ? (
          <p className="text-sm">
            To move to an external PostgreSQL, use the <Link className="text-indigo-600 underline" href={withEnv('/settings/database', env)}>external database wizard</Link>.
          </p>
        ) : (
          <p className="text-sm">An admin can move the stack to an external PostgreSQL with the external database wizard.</p>
        )}
      </Section>
      <Section id="history" title="History of .env and compose.override.yml">
        <HistoryList history={settings.history} isAdmin={isAdmin} restore={restoreVersionAction.bind(null, env)} />
      </Section>
    </>
  );
}
