// A lossless model of a `.env` file: every line keeps its exact bytes (comments, blank lines,
// quoting, `export `, CRLF, duplicates, unknown keys), so an edit rewrites only the lines it touches.

export type EnvQuote = 'none' | 'single' | 'double';
export type Eol = '' | '\n' | '\r\n';

export interface EnvEntry {
  key: string;
  /** The value as compose's env_file reader sees it (quotes removed, inline comment dropped). */
  value: string;
  quote: EnvQuote;
  exported: boolean;
  /** Offsets of the value's source text inside `raw`, quotes included. */
  valueStart: number;
  valueEnd: number;
}

export interface EnvLine {
  /** The line without its line ending. */
  raw: string;
  eol: Eol;
  entry: EnvEntry | null;
}

export interface EnvDocument {
  lines: EnvLine[];
}

const ASSIGNMENT = /^(\s*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=/;

function decodeDouble(body: string): string {
  return body.replace(/\\(.)/g, (_m, ch: string) => {
    if (ch === 'n') return '\n';
    if (ch === 'r') return '\r';
    if (ch === 't') return '\t';
    if (ch === '"' || ch === '\\') return ch;
    return `\\${ch}`;
  });
}

function parseEntry(raw: string): EnvEntry | null {
  const m = ASSIGNMENT.exec(raw);
  if (!m) return null;
  const key = m[3] as string;
  const exported = Boolean(m[2]);
  let start = m[0].length;
  while (start < raw.length && (raw[start] === ' ' || raw[start] === '\t')) start += 1;
  const first = raw[start];

  if (first === "'") {
    const close = raw.indexOf("'", start + 1);
    if (close === -1) return { key, exported, quote: 'single', value: raw.slice(start + 1), valueStart: start, valueEnd: raw.length };
    return { key, exported, quote: 'single', value: raw.slice(start + 1, close), valueStart: start, valueEnd: close + 1 };
  }
  if (first === '"') {
    let i = start + 1;
    while (i < raw.length && raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
    if (i >= raw.length) {
      return { key, exported, quote: 'double', value: decodeDouble(raw.slice(start + 1)), valueStart: start, valueEnd: raw.length };
    }
    return { key, exported, quote: 'double', value: decodeDouble(raw.slice(start + 1, i)), valueStart: start, valueEnd: i + 1 };
  }
  // Unquoted: a `#` preceded by whitespace starts a comment; trailing whitespace is not part of the value.
  const rest = raw.slice(start);
  const comment = /[ \t]+#.*$/.exec(rest);
  const body = (comment ? rest.slice(0, comment.index) : rest).replace(/[ \t]+$/, '');
  return { key, exported, quote: 'none', value: body, valueStart: start, valueEnd: start + body.length };
}

export function parseEnvDocument(text: string): EnvDocument {
  const lines: EnvLine[] = [];
  const re = /\r?\n/g;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const raw = text.slice(pos, m.index);
    lines.push({ raw, eol: m[0] as Eol, entry: parseEntry(raw) });
    pos = m.index + m[0].length;
  }
  if (pos < text.length) {
    const raw = text.slice(pos);
    lines.push({ raw, eol: '', entry: parseEntry(raw) });
  }
  return { lines };
}

export function serializeEnvDocument(doc: EnvDocument): string {
  return doc.lines.map((l) => l.raw + l.eol).join('');
}

/** Effective values: with duplicate keys the last one wins, as in compose's env_file. */
export function envValues(doc: EnvDocument): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of doc.lines) if (line.entry) out[line.entry.key] = line.entry.value;
  return out;
}

const NEEDS_QUOTES = /[\s'"#$\\`]/;

/**
 * Renders a value so that compose, the CLI's loose reader and our parser all read it back exactly.
 * Keeps the line's quoting style when it can. Returns null when no style is safe.
 */
export function encodeEnvValue(value: string, preferred: EnvQuote): string | null {
  // Double quotes: compose expands `$` and backslash escapes inside them; the CLI does not.
  const canDouble = !/["\\$`]/.test(value);
  const canSingle = !value.includes("'");
  const canNone = !NEEDS_QUOTES.test(value);
  const order: EnvQuote[] =
    preferred === 'single' ? ['single', 'double', 'none'] : preferred === 'double' ? ['double', 'single', 'none'] : ['none', 'double', 'single'];
  for (const style of order) {
    if (style === 'none' && canNone) return value;
    if (style === 'double' && canDouble) return `"${value}"`;
    if (style === 'single' && canSingle) return `'${value}'`;
  }
  return null;
}

export class UnencodableValueError extends Error {
  constructor(public readonly key: string) {
    super(`Value of ${key} cannot be quoted safely`);
  }
}

function documentEol(doc: EnvDocument): '\n' | '\r\n' {
  const withEol = doc.lines.find((l) => l.eol !== '');
  return withEol?.eol === '\r\n' ? '\r\n' : '\n';
}

/**
 * Applies edits: a string sets every line of that key (so readers that take the first or the last
 * duplicate agree), null removes every line of that key, and a new key is appended at the end.
 * All other lines are returned untouched, the same objects byte for byte.
 */
export function applyEnvEdits(doc: EnvDocument, edits: Record<string, string | null>): EnvDocument {
  const seen = new Set<string>();
  const lines: EnvLine[] = [];
  for (const line of doc.lines) {
    const entry = line.entry;
    if (!entry || !(entry.key in edits)) {
      lines.push(line);
      continue;
    }
    seen.add(entry.key);
    const value = edits[entry.key];
    if (value === null || value === undefined) continue;
    const suffix = line.raw.slice(entry.valueEnd);
    // An empty unquoted value would let a kept inline comment become the value.
    const encoded = value === '' && suffix.trim() !== '' ? '""' : encodeEnvValue(value, entry.quote);
    if (encoded === null) throw new UnencodableValueError(entry.key);
    const raw = line.raw.slice(0, entry.valueStart) + encoded + suffix;
    lines.push({ raw, eol: line.eol, entry: parseEntry(raw) });
  }

  const eol = documentEol(doc);
  for (const [key, value] of Object.entries(edits)) {
    if (seen.has(key) || value === null) continue;
    const encoded = encodeEnvValue(value, 'none');
    if (encoded === null) throw new UnencodableValueError(key);
    const last = lines[lines.length - 1];
    if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol };
    const raw = `${key}=${encoded}`;
    lines.push({ raw, eol, entry: parseEntry(raw) });
  }
  return { lines };
}
