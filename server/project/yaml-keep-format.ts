import { parseDocument, type ToStringOptions } from 'yaml';

// yaml's Document API keeps comments, tags and key order, but re-prints every line in its own
// style: `["a", "b"]` becomes `[ "a", "b" ]`, runs of spaces before a comment shrink, long lines
// fold. A diff of an edit then shows the operator's untouched lines as removed and added. Here the
// printed lines that say the same as one of the operator's lines are replaced by that line, byte
// for byte; the result is accepted only when yaml reads it exactly as the edited document.

/**
 * A line's content with insignificant spacing removed: indentation kept (it is structure), runs of
 * spaces outside quotes collapsed, none around flow brackets and commas, a comment kept verbatim.
 */
export function lineKey(line: string): string {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  let out = '';
  let quote: '"' | "'" | null = null;
  const body = line.slice(indent.length).trimEnd();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quote) {
      out += ch;
      if (ch === '\\' && quote === '"') out += body[++i] ?? '';
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === '#' && (i === 0 || /\s/.test(body[i - 1]!))) {
      out = `${out.trimEnd()} ${body.slice(i)}`;
      break;
    }
    if (/\s/.test(ch)) {
      if (!out.endsWith(' ')) out += ' ';
      continue;
    }
    if ('[]{},'.includes(ch) && out.endsWith(' ')) out = out.slice(0, -1);
    out += ch;
    if ('[{,'.includes(ch)) while (/\s/.test(body[i + 1] ?? '')) i++;
  }
  return indent + out.trimEnd();
}

/**
 * `printed` (yaml's rendering of the edited document) with every line that matches one of
 * `original`'s, in order, taken from `original`. Falls back to `printed` when the merge would read
 * differently, so formatting is never kept at the cost of meaning.
 */
export function keepOriginalLines(original: string, printed: string, options: ToStringOptions = {}): string {
  const before = original.split('\n');
  const keys = before.map(lineKey);
  let from = 0;
  const merged = printed.split('\n').map((line) => {
    const key = lineKey(line);
    if (key === '') return line;
    const at = keys.indexOf(key, from);
    if (at === -1) return line;
    from = at + 1;
    return before[at]!;
  });
  const out = merged.join('\n');
  const same = (a: string, b: string) => parseDocument(a).toString(options) === parseDocument(b).toString(options);
  return same(out, printed) ? out : printed;
}
