import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { EnvPreviewDto, EnvSavedDto, EnvValueDto, RegeneratedDto, SettingsDto } from '@/lib/dto/settings';
import { REGENERATABLE_SECRETS, isSecretEntry } from '@/lib/settings/env-catalog';
import { envApplyTargets } from '@/lib/settings/apply-targets';
import { diffEnvValues } from '@/lib/settings/env-diff';
import { STACK_SERVICES } from '@/lib/schemas/operations';
import {
  domainChangeSchema,
  domainEdits,
  envChangeSchema,
  regenerateSecretSchema,
  revealSecretSchema,
  validateDomain,
  validateSettingsEdits,
} from '@/lib/schemas/settings';
import type { EnvValidation } from '@/lib/settings/env-validation';
import { authorize, requireRole, type Caller } from '../../auth/caller';
import type { Runtime } from '../../runtime';
import { atomicWriteFile } from '../../project/atomic-write';
import { envValues, parseEnvDocument } from '../../project/env-document';
import { readEnvFile, renderEnvEdits } from '../../project/env-file';
import { listHistory, sha256 } from '../../project/file-history';
import { parseComposeOverride, readOverrideText } from '../../project/compose-override';
import { proxyPortsOf } from '../../project/override-ports';
import { projectPaths } from '../../project/project-paths';
import { readOptional } from '../../project/read-optional';
import { SECRET_GENERATORS } from '../../project/secrets';
import { projectIdOf, readTaleJson } from '../../project/tale-json';
import { CONFLICT, audit, invalid, markPending, pendingChanges, projectFailure, refusedFields, type Author } from './settings-support';
import type { ProjectDir } from '../../project/file-ops';

/** Everything the settings page shows, secrets masked. */
export async function getSettings(rt: Runtime, caller: Caller): Promise<SettingsDto> {
  requireRole(caller, 'operator');
  const files = rt.files;
  const paths = projectPaths(files.dir);
  const envText = await readOptional(paths.env, files.fs);
  const hasTaleJson = (await readOptional(paths.taleJson, files.fs)) !== null;
  const projectId = hasTaleJson ? await readTaleJson(files).then(projectIdOf, () => null) : null;
  const env: EnvValueDto[] = [];
  if (envText !== null) {
    for (const [key, value] of Object.entries(envValues(parseEnvDocument(envText)))) {
      const secret = isSecretEntry(key, value);
      env.push({ key, value: secret ? null : value, secret, set: value !== '' });
    }
  }
  const override = await readOverrideText(files);
  let overrideProblem: string | null = null;
  let pins: SettingsDto['pins'] = STACK_SERVICES.map((service) => ({ service, image: null }));
  let proxyPorts: SettingsDto['proxyPorts'] = null;
  try {
    const loaded = parseComposeOverride(override.text ?? '', override.file);
    pins = STACK_SERVICES.map((service) => ({ service, image: loaded[service]?.image ?? null }));
    proxyPorts = proxyPortsOf(loaded);
  } catch (err) {
    overrideProblem = err instanceof Error ? err.message : 'compose.override.yml cannot be read';
  }
  const currentHashes = new Set([envText, override.text].filter((t): t is string => t !== null).map(sha256));
  return {
    deployDir: files.dir,
    initialised: hasTaleJson && envText !== null,
    hasTaleJson,
    projectId,
    env,
    overrideFile: override.file.slice(files.dir.length + 1),
    overrideProblem,
    pins,
    proxyPorts,
    history: (await listHistory(files)).map((h) => ({ ...h, at: h.at.toISOString(), current: currentHashes.has(h.sha256) })),
    pending: pendingChanges(rt.db, rt.environment.id),
  };
}

type Plan = { text: string; preview: EnvPreviewDto; base: string };

/** Validates edits against the file as it is now and renders the exact bytes a save would write. */
async function planEnv(
  files: ProjectDir,
  edits: Record<string, string | null>,
  validate: (current: Record<string, string>) => EnvValidation,
): Promise<Plan | ActionResult<never>> {
  let current;
  try {
    current = await readEnvFile(files);
  } catch (err) {
    return projectFailure(err);
  }
  const checked = validate(current.values);
  if (!checked.ok) return refusedFields(checked.fieldErrors);
  let rendered;
  try {
    rendered = renderEnvEdits(current.document, edits);
  } catch (err) {
    return projectFailure(err);
  }
  return {
    text: rendered.text,
    base: current.text,
    preview: { diff: diffEnvValues(current.values, rendered.values), baseHash: sha256(current.text), afterHash: sha256(rendered.text) },
  };
}

const isPlan = (p: Plan | ActionResult<never>): p is Plan => 'text' in p;

/**
 * Who may write .env and compose.override.yml, preview a change or apply it: every container gets
 * the whole .env, so the registry, image pins, service URLs and database hosts decide which code
 * receives every secret at the next deploy, whoever starts it. Operators read (secrets masked).
 */
export const SETTINGS_WRITER = 'admin' as const;

async function writeEnvPlan(
  rt: Runtime,
  by: Author,
  action: string,
  edits: Record<string, string | null>,
  validate: (current: Record<string, string>) => EnvValidation,
  baseHash: string | undefined,
): Promise<ActionResult<EnvSavedDto>> {
  const files = rt.files;
  return rt.writes(async () => {
    const plan = await planEnv(files, edits, validate);
    if (!isPlan(plan)) {
      audit(rt.db, by, action, 'failure', { keys: Object.keys(edits) }, plan.ok ? '' : plan.message);
      return plan;
    }
    if (baseHash && baseHash !== plan.preview.baseHash) return CONFLICT;
    if (plan.preview.diff.length === 0) return { ok: true, data: { ...plan.preview, backup: null } };
    const paths = projectPaths(files.dir);
    const { backupPath } = await atomicWriteFile(paths.env, plan.text, { mode: 0o600, backupDir: paths.backups, fs: files.fs });
    const keys = plan.preview.diff.map((d) => d.key);
    markPending(rt.db, rt.environment.id, '.env', envApplyTargets(keys), by.actor, keys);
    // The diff is already redacted; keyed by variable so the audit log's own redaction also applies.
    const changes = Object.fromEntries(plan.preview.diff.map((d) => [d.key, { kind: d.kind, before: d.before, after: d.after }]));
    audit(rt.db, by, action, 'success', { changes }, `${plan.preview.diff.length} setting(s) changed; pending until the next deploy`, '.env');
    return { ok: true, data: { ...plan.preview, backup: backupPath ? backupPath.slice(paths.backups.length + 1) : null } };
  });
}

function editsValidator(edits: Record<string, string | null>) {
  return (current: Record<string, string>) => validateSettingsEdits(edits, current);
}

/** The diff a save would make, with nothing written. */
export function previewEnvChange(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<EnvPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const parsed = envChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const plan = await planEnv(rt.files, parsed.data.edits, editsValidator(parsed.data.edits));
    return isPlan(plan) ? { ok: true, data: plan.preview } : plan;
  });
}

export function saveEnvChange(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<EnvSavedDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const parsed = envChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { edits, baseHash } = parsed.data;
    return writeEnvPlan(rt, { actor, sourceIp: caller.sourceIp }, 'settings.env', edits, editsValidator(edits), baseHash);
  });
}

export function previewDomainChange(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<EnvPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const parsed = domainChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const plan = await planEnv(rt.files, domainEdits(parsed.data), (current) => validateDomain(parsed.data, current));
    return isPlan(plan) ? { ok: true, data: plan.preview } : plan;
  });
}

export function saveDomainChange(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<EnvSavedDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const parsed = domainChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const by = { actor, sourceIp: caller.sourceIp };
    return writeEnvPlan(rt, by, 'settings.domain', domainEdits(parsed.data), (current) => validateDomain(parsed.data, current), parsed.data.baseHash);
  });
}

/** A secret's value, for an admin who asked for it; every reveal is in the audit trail. */
export function revealSecret(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ key: string; value: string }>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = revealSecretSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { key } = parsed.data;
    let values: Record<string, string>;
    try {
      values = (await readEnvFile(rt.files)).values;
    } catch (err) {
      return projectFailure(err);
    }
    if (!Object.hasOwn(values, key)) return { ok: false, code: 'NOT_FOUND', message: `${key} is not set.` };
    audit(rt.db, { actor, sourceIp: caller.sourceIp }, 'settings.reveal_secret', 'success', {}, 'revealed', key);
    return { ok: true, data: { key, value: values[key]! } };
  });
}

/** Replaces a generated secret with a new one, after the caller has accepted what it breaks. */
export function regenerateSecret(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<RegeneratedDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = regenerateSecretSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { key } = parsed.data;
    const edits = { [key]: await SECRET_GENERATORS[key]() };
    const saved = await writeEnvPlan(rt, { actor, sourceIp: caller.sourceIp }, 'settings.regenerate_secret', edits, editsValidator(edits), undefined);
    if (!saved.ok) return saved;
    return { ok: true, data: { key, consequence: REGENERATABLE_SECRETS[key], diff: saved.data.diff } };
  });
}
