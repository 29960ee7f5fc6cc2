import { normalizeVersion } from '@/lib/version-tag';
import { contentHash } from '@/server/stack/content-hash';
import type { ServiceName } from '@/server/stack/types';
import { ALL_SERVICES } from '@/server/stack/types';
import { EngineError } from './engine-error';
import type { DeployPlan } from './plan-types';
import type { EnginePorts, ProjectPort, ReleaseRecord } from './ports';

// Release records: what each successful deploy or rollback ran, by digest, so "roll back" means
// the same bytes even after a tag was moved or re-pushed. Stored by the project port in a file of
// our own under .tale/ (the CLI ignores it); the state file's previous version stays the fallback
// and is still written, so the CLI's `tale rollback` keeps working beside the console.

/** Records a finished blue-green deploy or rollback. A failure is a warning: the release is live either way. */
export async function recordRelease(ports: EnginePorts, plan: DeployPlan): Promise<string | null> {
  if (plan.kind === 'update') return null;
  try {
    const record: ReleaseRecord = {
      version: plan.version,
      digests: { ...plan.digests },
      color: plan.targetColor,
      kind: plan.kind,
      actor: ports.actor ?? null,
      at: ports.clock.now().toISOString(),
      envHash: contentHash(await ports.project.readEnv()),
      overrideHash: contentHash(await ports.project.readOverride()),
    };
    await ports.project.recordRelease(record);
    ports.events.emit({ step: 'release', status: 'succeeded', data: { version: record.version, digests: record.digests, actor: record.actor } });
    return null;
  } catch (err) {
    const message = `Could not record the release: ${(err as Error).message}`;
    ports.events.emit({ step: 'release', status: 'warning', data: { message } });
    return message;
  }
}

export function fullDigests(record: ReleaseRecord | undefined): Record<ServiceName, string> | undefined {
  if (!record) return undefined;
  return ALL_SERVICES.every((s) => record.digests[s]) ? (record.digests as Record<ServiceName, string>) : undefined;
}

export interface RollbackTarget {
  version: string;
  /** From a release record; undefined: resolve the tag in the registry. */
  digests?: Record<ServiceName, string>;
  source: 'release-record' | 'state-file' | 'requested';
}

/**
 * Where a rollback goes. A chosen version uses its newest record's digests when there is one.
 * "The previous release" is the newest record older than the live one, but only while the records
 * are in step with what runs (the newest record is the live version): a CLI deploy in between
 * writes only the state file, so then `.tale/deployment-previous-version` decides, as for the CLI.
 */
export async function rollbackTarget(project: ProjectPort, requested: string | undefined, liveVersion: string | null): Promise<RollbackTarget> {
  const records = await project.readReleases();
  if (requested !== undefined) {
    const version = normalizeVersion(requested);
    return { version, digests: fullDigests(records.find((r) => r.version === version)), source: 'requested' };
  }
  if (liveVersion !== null && records[0]?.version === liveVersion) {
    const previous = records.find((r) => r.version !== liveVersion);
    if (previous) return { version: previous.version, digests: fullDigests(previous), source: 'release-record' };
  }
  const version = await project.readPreviousVersion();
  if (version === null) throw new EngineError('NO_PREVIOUS_VERSION', 'No previous version is recorded; choose a version to roll back to');
  return { version, digests: fullDigests(records.find((r) => r.version === version)), source: 'state-file' };
}
