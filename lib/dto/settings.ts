import type { ProxyPorts } from '@/lib/settings/proxy-ports';
import type { EnvDiffEntry, LineDiff } from '@/lib/settings/env-diff';

export type EnvValueDto = {
  key: string;
  /** null for a secret: the value is revealed only on an admin's explicit action. */
  value: string | null;
  secret: boolean;
  /** Present in the file (a secret may be set but hidden). */
  set: boolean;
};

export type PinDto = { service: string; image: string | null };

export type HistoryEntryDto = { id: string; file: string; at: string; size: number; sha256: string; current: boolean };

/** What must be recreated for saved changes to take effect, since when (null: nothing pending). */
export type PendingDto = { proxy: string | null; colors: string | null; files: string[] };

export type SettingsDto = {
  deployDir: string;
  /** tale.json and .env exist; otherwise the page offers the initialise form. */
  initialised: boolean;
  hasTaleJson: boolean;
  /** tale.json's id: container names are `<id>-proxy` and so on. */
  projectId: string | null;
  /** Every key of the file, in file order, secrets masked. */
  env: EnvValueDto[];
  /** The override file the console edits, and why it cannot when it is not understood. */
  overrideFile: string;
  overrideProblem: string | null;
  pins: PinDto[];
  /** The proxy's published ports; null when the file lists them in a way the form cannot show. */
  proxyPorts: ProxyPorts | null;
  history: HistoryEntryDto[];
  pending: PendingDto;
};

export type EnvPreviewDto = { diff: EnvDiffEntry[]; baseHash: string; afterHash: string };
export type EnvSavedDto = EnvPreviewDto & { backup: string | null };
export type PinPreviewDto = { diff: LineDiff; baseHash: string; afterHash: string; effect: string };
export type RestoredDto = { file: string; sha256: string };
export type DnsAnswerDto = { host: string; addresses: string[]; error: string | null };
export type RegeneratedDto = { key: string; consequence: string; diff: EnvDiffEntry[] };
