import 'server-only';
import { Resolver } from 'node:dns/promises';
import path from 'node:path';
import type { ActionResult } from '@/lib/action-result';
import type { DnsAnswerDto, PinPreviewDto, RestoredDto } from '@/lib/dto/settings';
import { BOTH, pinApplyTargets } from '@/lib/settings/apply-targets';
import { diffLines, redactOverride } from '@/lib/settings/env-diff';
import { hostSchema } from '@/lib/settings/env-values';
import { pinChangeSchema, restoreSchema, type PinChangeInput } from '@/lib/schemas/settings';
import { authorize, type Caller } from '../../auth/caller';
import type { Runtime } from '../../runtime';
import { atomicWriteFile } from '../../project/atomic-write';
import { readEnvFile } from '../../project/env-file';
import { restoreHistoryEntry, sha256 } from '../../project/file-history';
import { renderPin } from '../../project/override-pins';
import { renderProxyPorts } from '../../project/override-ports';
import { proxyPortsSchema, type ProxyPortsInput } from '@/lib/settings/proxy-ports';
import { readOverrideText } from '../../project/compose-override';
import { projectPaths } from '../../project/project-paths';
import { CONFLICT, audit, invalid, markPending, projectFailure } from './settings-support';
import { SETTINGS_WRITER } from './settings';
import type { ProjectDir } from '../../project/file-ops';

type PinPlan = { file: string; text: string; preview: PinPreviewDto };

function pinEffect({ service, image }: PinChangeInput): string {
  return image
    ? `${service} stays at ${image} whatever version is deployed, until you unpin it.`
    : `${service} follows the deployed version again from the next deploy.`;
}

async function planPin(files: ProjectDir, input: PinChangeInput): Promise<PinPlan | ActionResult<never>> {
  const { file, text: before } = await readOverrideText(files);
  let text: string;
  try {
    text = renderPin(before, input.service, input.image, file);
  } catch (err) {
    return projectFailure(err, 'image');
  }
  return {
    file,
    text,
    preview: {
      diff: diffLines(redactOverride(before ?? ''), redactOverride(text)),
      baseHash: sha256(before ?? ''),
      afterHash: sha256(text),
      effect: pinEffect(input),
    },
  };
}

const isPlan = (p: PinPlan | ActionResult<never>): p is PinPlan => 'text' in p;

export function previewPin(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PinPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const parsed = pinChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const plan = await planPin(rt.files, parsed.data);
    return isPlan(plan) ? { ok: true, data: plan.preview } : plan;
  });
}

export function savePin(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PinPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const parsed = pinChangeSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const by = { actor, sourceIp: caller.sourceIp };
    return rt.writes(async () => {
      const plan = await planPin(rt.files, parsed.data);
      if (!isPlan(plan)) {
        audit(rt.db, by, 'settings.pin', 'failure', { service: parsed.data.service }, plan.ok ? '' : plan.message);
        return plan;
      }
      if (parsed.data.baseHash && parsed.data.baseHash !== plan.preview.baseHash) return CONFLICT;
      if (plan.preview.baseHash === plan.preview.afterHash) return { ok: true, data: plan.preview };
      await atomicWriteFile(plan.file, plan.text, { mode: 0o644, backupDir: projectPaths(rt.files.dir).backups, fs: rt.files.fs });
      markPending(rt.db, rt.environment.id, path.basename(plan.file), pinApplyTargets(parsed.data.service), actor, [`${parsed.data.service} image`]);
      audit(rt.db, by, 'settings.pin', 'success', { service: parsed.data.service, image: parsed.data.image }, plan.preview.effect, parsed.data.service);
      return { ok: true, data: plan.preview };
    });
  });
}

/** Puts a stored version of .env or compose.override.yml back byte for byte. */
export function restoreVersion(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<RestoredDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const parsed = restoreSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { id } = parsed.data;
    const by = { actor, sourceIp: caller.sourceIp };
    return rt.writes(async () => {
      try {
        const restored = await restoreHistoryEntry(rt.files, id);
        markPending(rt.db, rt.environment.id, restored.file, BOTH, actor, [`${restored.file} restored`]);
        audit(rt.db, by, 'settings.restore', 'success', { version: id }, `restored ${restored.file}; pending until the next deploy`, restored.file);
        return { ok: true, data: restored };
      } catch (err) {
        audit(rt.db, by, 'settings.restore', 'failure', { version: id }, err instanceof Error ? err.message : 'failed');
        return projectFailure(err, 'id');
      }
    });
  });
}

/**
 * What public DNS says HOST is, asked from this server (Let's Encrypt asks the same question). A
 * read an operator may make: only an admin can set the HOST it asks about.
 */
export function resolveHost(rt: Runtime, caller: Caller): Promise<ActionResult<DnsAnswerDto>> {
  return authorize(caller, 'operator', async () => {
    let host: string;
    try {
      host = (await readEnvFile(rt.files)).values.HOST ?? '';
    } catch (err) {
      return projectFailure(err);
    }
    const checked = hostSchema.safeParse(host);
    if (!checked.success) return { ok: false, code: 'INVALID_INPUT', message: 'HOST is not a valid hostname yet.' };
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(checked.data), resolver.resolve6(checked.data)]);
    const addresses = [v4, v6].flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const failure = [v4, v6].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    const code = (failure?.reason as NodeJS.ErrnoException | undefined)?.code ?? 'no answer';
    return { ok: true, data: { host: checked.data, addresses, error: addresses.length === 0 ? `No A or AAAA record (${code})` : null } };
  });
}


type PortsPlan = { file: string; text: string; preview: PinPreviewDto };

function portsEffect({ bind, http, https }: ProxyPortsInput): string {
  const where = bind === '' ? 'every address' : bind === '127.0.0.1' ? '127.0.0.1 only (for a proxy in front of Tale on this host)' : bind;
  return `The proxy publishes HTTP on ${http} and HTTPS on ${https}, on ${where}, once it is recreated (Apply now).`;
}

async function planPorts(files: ProjectDir, input: ProxyPortsInput): Promise<PortsPlan | ActionResult<never>> {
  const { file, text: before } = await readOverrideText(files);
  let text: string;
  try {
    text = renderProxyPorts(before, input, file);
  } catch (err) {
    return projectFailure(err, 'http');
  }
  return {
    file,
    text,
    preview: {
      diff: diffLines(redactOverride(before ?? ''), redactOverride(text)),
      baseHash: sha256(before ?? ''),
      afterHash: sha256(text),
      effect: portsEffect(input),
    },
  };
}

const isPortsPlan = (p: PortsPlan | ActionResult<never>): p is PortsPlan => 'text' in p;

/** The diff of compose.override.yml that publishing the proxy on other ports would make. */
export function previewProxyPorts(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PinPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async () => {
    const parsed = proxyPortsSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const plan = await planPorts(rt.files, parsed.data);
    return isPortsPlan(plan) ? { ok: true, data: plan.preview } : plan;
  });
}

/**
 * Writes the proxy's published ports (`ports: !override`, the defaults remove it), atomically and
 * only over the version that was previewed. Pending for the proxy: Apply now recreates it.
 */
export function saveProxyPorts(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<PinPreviewDto>> {
  return authorize(caller, SETTINGS_WRITER, async (actor) => {
    const parsed = proxyPortsSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const by = { actor, sourceIp: caller.sourceIp };
    const { bind, http, https } = parsed.data;
    return rt.writes(async () => {
      const plan = await planPorts(rt.files, parsed.data);
      if (!isPortsPlan(plan)) {
        audit(rt.db, by, 'settings.proxy_ports', 'failure', { bind, http, https }, plan.ok ? '' : plan.message);
        return plan;
      }
      if (parsed.data.baseHash && parsed.data.baseHash !== plan.preview.baseHash) return CONFLICT;
      if (plan.preview.baseHash === plan.preview.afterHash) return { ok: true, data: plan.preview };
      await atomicWriteFile(plan.file, plan.text, { mode: 0o644, backupDir: projectPaths(rt.files.dir).backups, fs: rt.files.fs });
      markPending(rt.db, rt.environment.id, path.basename(plan.file), { proxy: true, colors: false }, actor);
      audit(rt.db, by, 'settings.proxy_ports', 'success', { bind, http, https }, plan.preview.effect, 'proxy');
      return { ok: true, data: plan.preview };
    });
  });
}
