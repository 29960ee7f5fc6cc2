import type { BackupGateDto } from '@/lib/dto/operations';
import type { PreflightDto } from '@/lib/dto/preflight';
import type { EnvDiffEntry } from '@/lib/settings/env-diff';

// What a promotion preview tells the browser and the API (docs/environments.md#promotion). Secret
// .env values never appear: the env differences come from diffEnvValues, which redacts them.

export type PromotionReleaseDto = {
  version: string;
  /** Repository digest of each service's image, as the source's release record has it. */
  digests: Record<string, string>;
  /** When the release went live there (its release record). */
  at: string;
};

export type PromotionPinDto = { service: string; source: string | null; destination: string | null };

export type PromotionProvenDto = {
  /** Minutes the source has run this release. */
  ranMinutes: number;
  /** The newest die/kill/oom/unhealthy incident of the source since the release went live. */
  lastIncidentAt: string | null;
  /** Minutes since the release went live or since its last incident, whichever is later. */
  cleanMinutes: number;
  required: number | null;
  ok: boolean;
};

export type PromotionPreviewDto = {
  source: { id: string; name: string; release: PromotionReleaseDto };
  destination: { id: string; name: string; production: boolean; version: string | null };
  /** before = the source's value, after = the destination's (kept: a promotion never changes the .env). */
  env: EnvDiffEntry[];
  pins: PromotionPinDto[];
  proven: PromotionProvenDto;
  /** Why a start would be refused now, or null. */
  blocked: { code: string; message: string } | null;
  /** The destination's backup gate for this version change, as the deploy dialog shows it. */
  backup: BackupGateDto;
  /** The destination's preflight, run now (the start runs it again). */
  preflight: PreflightDto;
};

/** One environment the dialog offers as a source, with its live version (null: none or unreachable). */
export type PromotionSourceDto = { id: string; name: string; version: string | null; error: string | null };
