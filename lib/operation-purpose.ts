import type { OperationDto, OperationKind } from './dto/operations';
import { formatBytes } from './format-usage';
import { formatTime } from './format-time';
import { compareVersions } from './version-order';
import { parseVersion } from './version-tag';

// What an operation was for, in a few words: the history and the operation page show it instead
// of "update 1.0.0". A function of the operation's kind, params and (once it ended) result, one
// row per kind: a new kind is a type error until it says what it is for.

type Op = Pick<OperationDto, 'kind' | 'params' | 'result'>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Settings changes an operation applies: the keys (or files) "Apply now" found pending, which it
 * records in the params under this name. Any kind that applies settings may carry it.
 */
export const APPLIES_SETTINGS = 'appliesSettings';

function appliedSettings(op: Op): string | null {
  const keys = list(op.params[APPLIES_SETTINGS]);
  if (!Array.isArray(op.params[APPLIES_SETTINGS])) return null;
  return keys.length ? `Apply settings: ${keys.join(', ')}` : 'Apply settings';
}

/** "Upgrade 1.0.0 → 1.1.0", "Downgrade …", "Redeploy 1.0.0", or "Deploy 1.2.0" when the live version is not known. */
function releaseChange(op: Op): string {
  const to = str(op.result?.version) ?? str(op.params.version);
  const from = str(op.result?.previousVersion);
  if (!to) return 'Deploy the newest release';
  const a = from ? parseVersion(from) : null;
  const b = parseVersion(to);
  if (!from || !a || !b) return `Deploy ${to}`;
  const order = compareVersions(b, a);
  if (order === 0) return `Redeploy ${to}`;
  return `${order > 0 ? 'Upgrade' : 'Downgrade'} ${from} → ${to}`;
}

const PURPOSE: Record<OperationKind, (op: Op) => string> = {
  deploy: (op) => appliedSettings(op) ?? `${releaseChange(op)}${op.params.all === true ? ' with the database, proxy and Convex' : ''}`,
  update: (op) => {
    const services = list(op.result?.services ?? op.params.services);
    const version = str(op.result?.version) ?? str(op.params.version);
    return appliedSettings(op) ?? `Update ${services.join(', ') || 'services'} in place${version ? ` at ${version}` : ''}`;
  },
  promote: (op) => `Promote ${str(op.result?.version) ?? str(op.params.version) ?? 'a release'} from ${str(op.params.fromName) ?? str(op.params.from) ?? 'another environment'}`,
  rollback: (op) => {
    const to = str(op.result?.version) ?? str(op.params.version);
    return to ? `Rollback to ${to}` : 'Rollback to the previous release';
  },
  'dry-run': (op) => `Dry run of ${str(op.params.version) ?? 'the newest release'}${list(op.params.services).length ? ` (${list(op.params.services).join(', ')} in place)` : ''}`,
  cleanup: () => 'Clean up the inactive colour',
  reset: (op) => `Reset the stack${op.params.all === true ? ' with the database, proxy and Convex' : ''}${op.params.volumes === true ? ' and every volume' : ''}`,
  reconcile: () => 'Reconcile Docker with the state files',
  'database-copy': () => 'Copy the bundled database to the external server',
  backup: (op) => (op.params.kind === 'scheduled' ? 'Scheduled backup' : 'Backup'),
  drill: () => 'Restore drill: prove a backup restorable',
  retention: () => 'Retention: forget backups beyond those kept',
  'repository-check': () => 'Check the backup repository',
  'apply-settings': (op) => appliedSettings(op) ?? `Apply settings${op.params.proxy === true ? ' (proxy)' : ''}${op.params.colors === true ? ' (services)' : ''}`,
  'pre-pull': (op) => `Pre-pull the images of ${str(op.result?.version) ?? str(op.params.version) ?? 'the next release'} in the background`,
  'prune-images': (op) => {
    const count = num(op.result?.removed) ?? list(op.params.images).length;
    const bytes = num(op.result?.freedBytes) ?? num(op.params.freedBytes);
    return `Remove unused images: ${count} ${count === 1 ? 'image' : 'images'}${bytes !== null ? `, at least ${formatBytes(bytes)}` : ''}`;
  },
  restore: (op) => `Restore the backup of ${formatTime(str(op.params.backupStartedAt) ?? '') || str(op.params.snapshot) || 'a snapshot'}`,
};

export function operationPurpose(op: Op): string {
  return PURPOSE[op.kind](op);
}
