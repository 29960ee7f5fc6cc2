// A lossless model of a `.env` file: every line keeps its exact bytes (comments, blank lines,
// quoting, `export `, CRLF, duplicates, unknown keys), so an edit rewrites only the lines it touches.
//
// Values are read the way docker compose reads them, because compose is what hands `.env` to every
// container (`env_file: .env`) and interpolates the stack's compose file with it. The reader below
// follows compose-spec/compose-go `dotenv/parser.go` (v2.0.2 to v2.4.8 are the same parser: Debian
// trixie's docker-compose 2.26.1 is built with compose-go 2.4.8). What we rely on:
// - a statement is read from where the previous one ended, not line by line: a quoted value runs
//   until its closing quote, across newlines, and text after a closing quote on the same line is
//   read as another statement (`A='x' B=y` sets B);
// - inside single AND double quotes `\` + the quote character is an escaped quote, so a
//   single-quoted value ending in `\` does not end there;
// - single quotes keep every other byte as it is; double quotes then decode `\n`-style escapes and
//   expand `$` (`\$` and `$$` give `$`);
// - an unquoted value ends at the newline, at the first ` #` (space + hash; a tab + hash does not
//   start a comment), loses surrounding whitespace and expands `$`.

export type EnvQuote = 'none' | 'single' | 'double';
export type Eol = '' | '\n' | '\r\n';

export interface EnvEntry {
  key: string;
  /** The value as docker compose reads it. */
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
  /** Set only when this line holds exactly one whole assignment, the only kind an edit rewrites. */
  entry: EnvEntry | null;
}

export interface EnvDocument {
  lines: EnvLine[];
  /** Every value as docker compose reads the whole file (the last duplicate wins). */
  values: Record<string, string>;
  /** Keys assigned somewhere an edit cannot rewrite in place (a value spanning lines, two on a line). */
  tangled: Set<string>;
  /** Why docker compose would refuse the file (it then reads none of it), or null. */
  error: string | null;
}

// Go's unicode.IsSpace, which compose uses to trim keys and unquoted values.
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
// compose's own isSpace: whitespace that is not a line break.
const isInlineSpace = (ch: string | undefined) =>
  ch === '\t' || ch === '\v' || ch === '\f' || ch === '\r' || ch === ' ' || ch === '\u0085' || ch === '\u00a0';
const TRAILING_GO_SPACE = new RegExp(`${GO_SPACE.source}+$`, 'u');
const isGoSpace = (ch: string | undefined) => ch !== undefined && GO_SPACE.test(ch);

interface Statement {
  key: string;
  value: string;
  quote: EnvQuote;
  exported: boolean;
  /** Absolute offsets: where the statement starts, and its value's source (quotes included). */
  start: number;
  valueStart: number;
  valueEnd: number;
}

class EnvSyntaxError extends Error {}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text[i] === '\n') n += 1;
  return n;
}

// compose's expandEscapes: only these sequences are decoded; `\$` becomes `$$` for the
// interpolation that follows, octal needs `\0` plus exactly three digits below 256.
function expandEscapes(body: string): string {
  return body.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (match) => {
    const ch = match[1] as string;
    if (ch === '$') return '$$';
    if (ch === '0') {
      const digits = match.slice(2);
      if (!/^[0-7]{3}$/.test(digits)) return match;
      const code = parseInt(digits, 8);
      return code > 255 ? match : String.fromCharCode(code);
    }
    const simple: Record<string, string> = { a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };
    return simple[ch] ?? match;
  });
}

const NAME = /^[_a-z][_a-z0-9]*/i;

// compose's template.Substitute for the forms people write: `$$`, `$NAME`, `${NAME}` and
// `${NAME:-x}`, `-`, `:+`, `+`, `:?`, `?`. Names resolve to earlier values of the same file;
// whoever runs compose can still override them from their shell, which no file reader can know.
function interpolate(value: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const dollar = value.indexOf('$', i);
    if (dollar === -1) return out + value.slice(i);
    out += value.slice(i, dollar);
    const next = value[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      let depth = 0;
      let close = -1;
      for (let j = dollar + 1; j < value.length; j += 1) {
        if (value[j] === '}') {
          depth -= 1;
          if (depth === 0) {
            close = j;
            break;
          }
        }
        if (value[j] === '{') {
          depth += 1;
          j += 1;
        }
      }
      const inner = close === -1 ? '' : value.slice(dollar + 2, close);
      const name = NAME.exec(inner)?.[0];
      if (!name) throw new EnvSyntaxError('invalid interpolation ${…}');
      const op = /^(:?[-+?])/.exec(inner.slice(name.length))?.[1];
      if (!op && inner.length !== name.length) throw new EnvSyntaxError('invalid interpolation ${…}');
      const word = op ? interpolate(inner.slice(name.length + op.length), lookup) : '';
      const current = lookup(name);
      const usable = op?.startsWith(':') ? current !== undefined && current !== '' : current !== undefined;
      if (!op) out += current ?? '';
      else if (op.endsWith('-')) out += usable ? (current as string) : word;
      else if (op.endsWith('+')) out += usable ? word : (current ?? '');
      else if (!usable) throw new EnvSyntaxError(`required variable ${name} is missing a value`);
      else out += current as string;
      i = close + 1;
      continue;
    }
    const name = NAME.exec(value.slice(dollar + 1))?.[0];
    if (name) {
      out += lookup(name) ?? '';
      i = dollar + 1 + name.length;
      continue;
    }
    out += '$';
    i = dollar + 1;
  }
  return out;
}

/** Reads statements the way compose does; stops at the first error, as compose refuses the file. */
function scanStatements(text: string): { statements: Statement[]; error: string | null } {
  const statements: Statement[] = [];
  // Null-prototype: a key named `constructor` or `__proto__` is an ordinary name here.
  const seen: Record<string, string> = Object.create(null) as Record<string, string>;
  const lookup = (name: string) => (Object.hasOwn(seen, name) ? seen[name] : undefined);
  let pos = text.startsWith('\uFEFF') ? 1 : 0;
  try {
    for (;;) {
      // Skip whitespace (newlines included) and whole comment lines.
      for (;;) {
        while (pos < text.length && isGoSpace(text[pos])) pos += 1;
        if (text[pos] !== '#') break;
        const nl = text.indexOf('\n', pos);
        pos = nl === -1 ? text.length : nl;
      }
      if (pos >= text.length) break;
      const start = pos;

      let exported = false;
      const exportMatch = /^export[\t\n\f\r ]+/.exec(text.slice(pos, pos + 64));
      if (exportMatch) {
        exported = true;
        pos += 'export'.length;
        while (pos < text.length && isInlineSpace(text[pos])) pos += 1;
      }

      const keyStart = pos;
      let sep = '';
      let keyEnd = text.length;
      for (const ch of text.slice(pos)) {
        if (isInlineSpace(ch)) {
          pos += ch.length;
          continue;
        }
        if (ch === '=' || ch === ':' || ch === '\n') {
          sep = ch;
          keyEnd = pos;
          pos += 1;
          break;
        }
        if (!/^[_.\-[\]\p{L}\p{N}]$/u.test(ch)) throw new EnvSyntaxError(`line ${lineAt(text, pos)}: invalid character in a key`);
        pos += ch.length;
      }
      // A key that runs to the end of the file without `=` is, for compose, an empty key whose
      // value is that text.
      const key = sep === '' ? '' : text.slice(keyStart, keyEnd).replace(TRAILING_GO_SPACE, '');
      if (sep === '') pos = keyStart;
      if (key.includes(' ')) throw new EnvSyntaxError(`line ${lineAt(text, keyStart)}: a key cannot contain a space`);
      // `KEY` alone on a line takes its value from compose's own environment, not from the file.
      if (sep === '\n') continue;

      while (pos < text.length && isInlineSpace(text[pos])) pos += 1;
      const valueStart = pos;
      const quoteChar = text[pos];
      let value: string;
      let quote: EnvQuote = 'none';
      let valueEnd: number;
      if (quoteChar === "'" || quoteChar === '"') {
        quote = quoteChar === "'" ? 'single' : 'double';
        let body = '';
        let escaped = false;
        let close = -1;
        for (let i = pos + 1; i < text.length; i += 1) {
          const ch = text[i] as string;
          if (ch !== quoteChar) {
            if (!escaped && ch === '\\') {
              escaped = true;
              continue;
            }
            if (escaped) body += '\\';
            escaped = false;
            body += ch;
            continue;
          }
          if (escaped) {
            escaped = false;
            body += ch;
            continue;
          }
          close = i;
          break;
        }
        if (close === -1) throw new EnvSyntaxError(`line ${lineAt(text, valueStart)}: unterminated quoted value`);
        value = quote === 'double' ? interpolate(expandEscapes(body), lookup) : body;
        valueEnd = close + 1;
        pos = close + 1;
      } else {
        const nl = text.indexOf('\n', pos);
        const lineEnd = nl === -1 ? text.length : nl;
        let raw = text.slice(pos, lineEnd);
        const comment = raw.indexOf(' #');
        if (comment !== -1) raw = raw.slice(0, comment);
        raw = raw.replace(TRAILING_GO_SPACE, '');
        value = interpolate(raw, lookup);
        valueEnd = pos + raw.length;
        pos = nl === -1 ? text.length : nl + 1;
      }
      seen[key] = value;
      statements.push({ key, value, quote, exported, start, valueStart, valueEnd });
    }
  } catch (err) {
    if (err instanceof EnvSyntaxError) return { statements, error: err.message };
    throw err;
  }
  return { statements, error: null };
}

export function parseEnvDocument(text: string): EnvDocument {
  const lines: EnvLine[] = [];
  const starts: number[] = [];
  const re = /\r?\n/g;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    lines.push({ raw: text.slice(pos, m.index), eol: m[0] as Eol, entry: null });
    starts.push(pos);
    pos = m.index + m[0].length;
  }
  if (pos < text.length) {
    lines.push({ raw: text.slice(pos), eol: '', entry: null });
    starts.push(pos);
  }

  const { statements, error } = scanStatements(text);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // A line can be rewritten for a statement only if no other statement covers any of it.
  const cover = new Map<number, Statement[]>();
  for (const s of statements) {
    const last = lineOf(Math.max(s.start, s.valueEnd - 1));
    for (let n = lineOf(s.start); n <= last; n += 1) cover.set(n, [...(cover.get(n) ?? []), s]);
  }
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const tangled = new Set<string>();
  for (const s of statements) values[s.key] = s.value;
  for (const [n, found] of cover) {
    const line = lines[n] as EnvLine;
    const lineStart = starts[n] as number;
    const only = found.length === 1 ? (found[0] as Statement) : null;
    if (only && only.start >= lineStart && only.valueEnd <= lineStart + line.raw.length) {
      line.entry = {
        key: only.key,
        value: only.value,
        quote: only.quote,
        exported: only.exported,
        valueStart: only.valueStart - lineStart,
        valueEnd: only.valueEnd - lineStart,
      };
    } else {
      for (const s of found) tangled.add(s.key);
    }
  }
  return { lines, values, tangled, error };
}

export function serializeEnvDocument(doc: EnvDocument): string {
  return doc.lines.map((l) => l.raw + l.eol).join('');
}

/** Effective values, as docker compose reads them: with duplicate keys the last one wins. */
export function envValues(doc: EnvDocument): Record<string, string> {
  // Null-prototype, so looking up a key the file does not have never finds Object.prototype's.
  return Object.assign(Object.create(null) as Record<string, string>, doc.values);
}

// What each reader does with a value (see the top of this file for compose; the tale CLI's loader
// strips one leading and one trailing `'` or `"` and decodes nothing):
// - single quotes: compose keeps the bytes, but reads `\'` as an escaped quote, so the value may
//   contain no `'` and may not end in `\`;
// - double quotes: compose decodes `\` escapes and expands `$`, the CLI does neither, so the value
//   may contain no `"`, `\` or `$`;
// - unquoted: compose trims whitespace, cuts at ` #` and expands `$`; the CLI strips a quote at
//   either end; so no whitespace, `#` or `$`, and no quote at either end.
const SINGLE_BREAKERS = (value: string) => value.includes("'") || value.endsWith('\\');
const DOUBLE_BREAKERS = /["\\$]/;
const UNQUOTED_BREAKERS = new RegExp(`${GO_SPACE.source}|[#$]|^['"]|['"]$`, 'u');

/**
 * Renders a value so that compose, the CLI's loose reader and our parser all read it back exactly.
 * Keeps the line's quoting style when it can. Returns null when no style is safe.
 */
export function encodeEnvValue(value: string, preferred: EnvQuote): string | null {
  const canSingle = !SINGLE_BREAKERS(value);
  const canDouble = !DOUBLE_BREAKERS.test(value);
  const canNone = !UNQUOTED_BREAKERS.test(value);
  const order: EnvQuote[] =
    preferred === 'single' ? ['single', 'double', 'none'] : preferred === 'double' ? ['double', 'single', 'none'] : ['none', 'double', 'single'];
  for (const style of order) {
    if (style === 'none' && canNone) return value;
    if (style === 'double' && canDouble) return `"${value}"`;
    if (style === 'single' && canSingle) return `'${value}'`;
  }
  return null;
}

/** Why no quoting style can carry a value, naming characters only (values may be secrets). */
export function unencodableReason(value: string): string {
  const single = value.includes("'") ? "it contains '" : 'it ends in \\ (compose reads \\\' as an escaped quote)';
  const dq = ['"', '\\', '$'].filter((c) => value.includes(c)).join(' ');
  const bare: string[] = [];
  if (GO_SPACE.test(value)) bare.push('spaces');
  if (value.includes('#')) bare.push('#');
  if (value.includes('$')) bare.push('$');
  if (/^['"]|['"]$/.test(value)) bare.push('a quote at the start or end');
  return (
    `Cannot be written so that docker compose and the tale CLI read the same value: single quotes fail because ${single}; ` +
    `double quotes because it contains ${dq} (compose decodes \\ and expands $ there, the CLI does not); ` +
    `no quotes because of ${bare.join(', ')}. Change one of these.`
  );
}

export class UnencodableValueError extends Error {
  constructor(
    public readonly key: string,
    public readonly reason: string,
  ) {
    super(`Value of ${key} cannot be written safely`);
  }
}

function documentEol(doc: EnvDocument): '\n' | '\r\n' {
  const withEol = doc.lines.find((l) => l.eol !== '');
  return withEol?.eol === '\r\n' ? '\r\n' : '\n';
}

/**
 * Applies edits: a string sets every line of that key (so readers that take the first or the last
 * duplicate agree), null removes every line of that key, and a new key is appended at the end.
 * All other lines are kept byte for byte. A key that is also assigned where no line can be
 * rewritten on its own (a quoted value spanning lines, two assignments on one line) is refused.
 */
export function applyEnvEdits(doc: EnvDocument, edits: Record<string, string | null>): EnvDocument {
  for (const key of Object.keys(edits)) {
    if (doc.tangled.has(key)) {
      throw new UnencodableValueError(
        key,
        'Is assigned in .env where it cannot be edited on its own (a quoted value that spans lines or shares a line): fix the file by hand',
      );
    }
  }
  const seen = new Set<string>();
  const lines: EnvLine[] = [];
  for (const line of doc.lines) {
    const entry = line.entry;
    if (!entry || !Object.hasOwn(edits, entry.key)) {
      lines.push(line);
      continue;
    }
    seen.add(entry.key);
    const value = edits[entry.key];
    if (value === null || value === undefined) continue;
    const suffix = line.raw.slice(entry.valueEnd);
    // An empty unquoted value would let a kept inline comment become the value.
    const encoded = value === '' && suffix.trim() !== '' ? '""' : encodeEnvValue(value, entry.quote);
    if (encoded === null) throw new UnencodableValueError(entry.key, unencodableReason(value));
    lines.push({ raw: line.raw.slice(0, entry.valueStart) + encoded + suffix, eol: line.eol, entry: null });
  }

  const eol = documentEol(doc);
  for (const [key, value] of Object.entries(edits)) {
    if (seen.has(key) || value === null) continue;
    const encoded = encodeEnvValue(value, 'none');
    if (encoded === null) throw new UnencodableValueError(key, unencodableReason(value));
    const last = lines[lines.length - 1];
    if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol };
    lines.push({ raw: `${key}=${encoded}`, eol, entry: null });
  }
  return parseEnvDocument(lines.map((l) => l.raw + l.eol).join(''));
}
