import { isSecretEntry } from './env-catalog';

export type EnvDiffEntry = {
  key: string;
  kind: 'added' | 'changed' | 'removed';
  /** null when absent; secret values are never included, only whether they changed. */
  before: string | null;
  after: string | null;
  secret: boolean;
};

export const REDACTED = '••••••••';

/**
 * What a change does to the effective values, key by key, in the order the keys appear. Secret
 * values are redacted here, so the diff can go to the browser, the audit log and the history.
 */
export function diffEnvValues(before: Record<string, string>, after: Record<string, string>): EnvDiffEntry[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: EnvDiffEntry[] = [];
  for (const key of keys) {
    const a = Object.hasOwn(before, key) ? before[key]! : null;
    const b = Object.hasOwn(after, key) ? after[key]! : null;
    if (a === b) continue;
    // A value that carries a URL password is secret on either side of the change.
    const secret = isSecretEntry(key, a) || isSecretEntry(key, b);
    const show = (v: string | null) => (v === null ? null : secret ? REDACTED : v);
    out.push({ key, kind: a === null ? 'added' : b === null ? 'removed' : 'changed', before: show(a), after: show(b), secret });
  }
  return out;
}

export type LineDiff = { kind: 'same' | 'added' | 'removed'; text: string }[];

/** A line diff (LCS) for small files such as compose.override.yml. */
export function diffLines(before: string, after: string): LineDiff {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: LineDiff = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i += 1;
      j += 1;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'removed', text: a[i++]! });
    else out.push({ kind: 'added', text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: 'removed', text: a[i++]! });
  while (j < b.length) out.push({ kind: 'added', text: b[j++]! });
  return out;
}

const YAML_ENV_LINE = /^(\s*-?\s*["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?\s*[:=]\s*)(\S.*)$/;

/** compose.override.yml may carry `environment:` secrets; their values never leave the server. */
export function redactOverrideLine(line: string): string {
  const m = YAML_ENV_LINE.exec(line);
  return m && isSecretEntry(m[2]!, m[4]!) ? `${m[1]}${m[2]}${m[3]}${REDACTED}` : line;
}

/** A whole compose.override.yml text, each line as redactOverrideLine leaves it. */
export function redactOverride(text: string): string {
  return text.split('\n').map(redactOverrideLine).join('\n');
}
