import { describe, expect, it } from 'vitest';
import {
  applyEnvEdits,
  encodeEnvValue,
  envValues,
  parseEnvDocument,
  serializeEnvDocument,
  unencodableReason,
  UnencodableValueError,
} from './env-document';
import { cliValue } from '@/e2e/fixtures/tale-cli-env';

// A corpus of real-world shapes: every one must come back byte for byte when untouched.
const CORPUS: Record<string, string> = {
  lf: '# banner\n\nHOST=tale.example.com\nSITE_URL=https://tale.example.com\n',
  crlf: '# banner\r\nHOST=a.example\r\n\r\nexport TLS_MODE=selfsigned\r\n',
  mixedEol: 'A=1\r\nB=2\nC=3\r\n',
  noTrailingNewline: 'A=1\nB=two words',
  quotes: `S='single # not a comment'\nD="double \\"escaped\\" value"\nN=plain # trailing comment\n`,
  exportAndSpaces: 'export A=1\n  export   B = "x"\nC =3\n\t# indented comment\n',
  duplicates: 'A=first\nB=1\nA=second\n',
  unknownAndJunk: 'NOT AN ASSIGNMENT\nweird.key-name=ok\n=novalue\nX\n',
  emptyValues: 'A=\nB=""\nC=\'\'\n',
  unicode: '# café ☕\nNAME="Zürich"\n',
  empty: '',
};

describe('parseEnvDocument / serializeEnvDocument', () => {
  it.each(Object.entries(CORPUS))('round-trips %s byte for byte', (_name, text) => {
    expect(serializeEnvDocument(parseEnvDocument(text))).toBe(text);
  });

  it('reads values the way compose does', () => {
    const values = envValues(parseEnvDocument(CORPUS.quotes as string));
    expect(values).toEqual({ S: 'single # not a comment', D: 'double "escaped" value', N: 'plain' });
    expect(envValues(parseEnvDocument(CORPUS.exportAndSpaces as string))).toEqual({ A: '1', B: 'x', C: '3' });
    expect(envValues(parseEnvDocument(CORPUS.emptyValues as string))).toEqual({ A: '', B: '', C: '' });
  });

  it('lets the last duplicate win', () => {
    expect(envValues(parseEnvDocument(CORPUS.duplicates as string)).A).toBe('second');
  });
});

describe('applyEnvEdits', () => {
  const edit = (text: string, edits: Record<string, string | null>) =>
    serializeEnvDocument(applyEnvEdits(parseEnvDocument(text), edits));

  it('changes only the edited line and keeps every other byte', () => {
    const text = CORPUS.lf as string;
    expect(edit(text, { HOST: 'b.example' })).toBe('# banner\n\nHOST=b.example\nSITE_URL=https://tale.example.com\n');
  });

  it('keeps CRLF endings, export prefixes and spacing on the edited line', () => {
    expect(edit(CORPUS.crlf as string, { TLS_MODE: 'letsencrypt' })).toBe(
      '# banner\r\nHOST=a.example\r\n\r\nexport TLS_MODE=letsencrypt\r\n',
    );
    expect(edit(CORPUS.exportAndSpaces as string, { B: 'y' })).toBe('export A=1\n  export   B = "y"\nC =3\n\t# indented comment\n');
  });

  it('keeps each line quoting style and inline comments', () => {
    expect(edit(CORPUS.quotes as string, { S: 'new', D: 'two', N: 'n2' })).toBe(
      `S='new'\nD="two"\nN=n2 # trailing comment\n`,
    );
  });

  it('quotes an emptied value when an inline comment follows it', () => {
    const out = edit('N=plain # note\n', { N: '' });
    expect(out).toBe('N="" # note\n');
    expect(envValues(parseEnvDocument(out)).N).toBe('');
  });

  it('switches to quotes only when the value needs them', () => {
    expect(edit('P=old\n', { P: 'has space' })).toBe('P="has space"\n');
    expect(edit('P=old\n', { P: 'cost$5' })).toBe("P='cost$5'\n");
    expect(edit('P="old"\n', { P: 'it"s"' })).toBe(`P='it"s"'\n`);
  });

  it('updates every duplicate of a key so first-wins and last-wins readers agree', () => {
    expect(edit(CORPUS.duplicates as string, { A: 'z' })).toBe('A=z\nB=1\nA=z\n');
  });

  it('appends new keys at the end with the file line ending', () => {
    expect(edit(CORPUS.crlf as string, { NEW: 'v' })).toBe(`${CORPUS.crlf}NEW=v\r\n`);
    expect(edit(CORPUS.noTrailingNewline as string, { NEW: 'v' })).toBe('A=1\nB=two words\nNEW=v\n');
    expect(edit('', { NEW: 'v' })).toBe('NEW=v\n');
  });

  it('removes every line of a deleted key and nothing else', () => {
    expect(edit(CORPUS.duplicates as string, { A: null })).toBe('B=1\n');
  });

  it('leaves unknown keys and junk lines alone', () => {
    expect(edit(CORPUS.unknownAndJunk as string, { X: '1' })).toBe(`${CORPUS.unknownAndJunk}X=1\n`);
  });
});

describe('encodeEnvValue', () => {
  it('refuses a value no quoting style can carry', () => {
    expect(encodeEnvValue(`a'b"c$`, 'none')).toBeNull();
  });
  it.each([['plain'], ['with space'], ['$dollar'], ['back\\slash'], ['#hash'], [`"dq"`], ['']])(
    'reads %j back unchanged from every preferred style',
    (value) => {
      for (const style of ['none', 'single', 'double'] as const) {
        const encoded = encodeEnvValue(value, style);
        expect(encoded).not.toBeNull();
        expect(envValues(parseEnvDocument(`K=${encoded}\n`)).K).toBe(value);
      }
    },
  );
});

// Expected values below were read from the real `docker compose config` (2.26.1, compose-go 2.4.8).
describe('parseEnvDocument reads like docker compose', () => {
  const read = (text: string) => parseEnvDocument(text);

  it('runs a single-quoted value ending in \\ on into the next line, as compose does', () => {
    const doc = read(`A='foo\\'\nB="' DB_PASSWORD=owned #'"\nC=plain\n`);
    expect(doc.error).toBeNull();
    expect(envValues(doc)).toEqual({ A: `foo'\nB="`, DB_PASSWORD: 'owned', C: 'plain' });
    expect([...doc.tangled].sort()).toEqual(['A', 'DB_PASSWORD']);
  });

  it('reads text after a closing quote as another assignment', () => {
    const doc = read(`A='x' B=evil\nC='y' # only a comment\n`);
    expect(envValues(doc)).toEqual({ A: 'x', B: 'evil', C: 'y' });
    expect(doc.tangled.has('B')).toBe(true);
    expect(doc.lines[1]?.entry?.key).toBe('C');
  });

  it('cuts unquoted values at space-hash only and trims them', () => {
    expect(envValues(read('C=a\t#b\nD=a #b\nE=  x y  \nF=#x\n'))).toEqual({ C: 'a\t#b', D: 'a', E: 'x y', F: '#x' });
  });

  it('keeps single-quoted bytes except an escaped quote', () => {
    expect(envValues(read(`E='a\\\\'\nF='a\\b$x'\nG='it\\'s'\n`))).toEqual({ E: 'a\\\\', F: 'a\\b$x', G: "it's" });
  });

  it('decodes double-quoted escapes and expands $ there and in unquoted values', () => {
    const doc = read('H=host\nA="a\\nb\\t\\$H\\\\\\q\\0101"\nB=$$x\nC=${H}-$H\nD="${NOPE:-dflt}${H:+set}"\n');
    expect(envValues(doc)).toEqual({ H: 'host', A: 'a\nb\t$H\\\\qA', B: '$x', C: 'host-host', D: 'dfltset' });
  });

  it('reports what compose refuses without echoing values', () => {
    expect(read("A='secret-value\n").error).toMatch(/^line 1: unterminated quoted value$/);
    expect(read('NOT AN ASSIGNMENT\n').error).toMatch(/key cannot contain a space/);
    expect(read('A=1\nB=${}\n').error).toMatch(/invalid interpolation/);
    expect(read('A=${X:?gone}\n').error).toMatch(/required variable X/);
  });

  it('skips a byte order mark and reads export and yaml-style keys', () => {
    expect(envValues(read('\uFEFFexport A=1\nB: 2\n'))).toEqual({ A: '1', B: '2' });
  });
});

describe('encodeEnvValue keeps every reader in agreement', () => {
  it('writes a value ending in a backslash unquoted, never as a run-on single-quoted value', () => {
    expect(encodeEnvValue('foo\\', 'single')).toBe('foo\\');
    expect(encodeEnvValue('a b\\', 'none')).toBeNull();
  });

  it('never leaves $, # or whitespace unquoted, nor \\ or $ inside double quotes', () => {
    expect(encodeEnvValue('a#b', 'none')).toBe('"a#b"');
    expect(encodeEnvValue('$x', 'double')).toBe("'$x'");
    expect(encodeEnvValue('a\\b', 'double')).toBe("'a\\b'");
    expect(encodeEnvValue('"q"', 'none')).toBe(`'"q"'`);
    // ...which leaves a value with ' and \ only one way: unquoted.
    expect(encodeEnvValue("x\\'y'z\\", 'double')).toBe("x\\'y'z\\");
  });

  it('explains a refusal by the characters involved, never the value', () => {
    const reason = unencodableReason(`'top secret' $`);
    expect(reason).toMatch(/single quotes fail because it contains '/);
    expect(reason).toMatch(/double quotes because it contains \$/);
    expect(reason).toMatch(/no quotes because of spaces, \$, a quote at the start or end/);
    expect(reason).not.toContain('top secret');
  });

  it('round-trips random values from a hostile alphabet through compose rules and the CLI rule, or refuses them', () => {
    const alphabet = ['a', 'Z', '9', ' ', '\t', '\\', "'", '"', '$', '#', '{', '}', '=', ':', '-', 'é', '\u00a0', '\u2003'];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    let written = 0;
    for (let n = 0; n < 3000; n += 1) {
      const length = next() % 7;
      const value = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      for (const style of ['none', 'single', 'double'] as const) {
        const encoded = encodeEnvValue(value, style);
        if (encoded === null) continue;
        written += 1;
        const doc = parseEnvDocument(`BEFORE=1\nK=${encoded}\nAFTER=2\n`);
        expect(doc.error).toBeNull();
        expect(envValues(doc)).toEqual({ BEFORE: '1', K: value, AFTER: '2' });
        // The tale CLI's reader (its model: e2e/fixtures/tale-cli-env.ts).
        expect(cliValue(encoded)).toBe(value);
      }
    }
    expect(written).toBeGreaterThan(3000);
  });
});

describe('applyEnvEdits on a tangled file', () => {
  it('refuses to edit a key whose assignment shares or spans lines', () => {
    const doc = parseEnvDocument(`A='foo\\'\nB="' DB_PASSWORD=owned #'"\n`);
    expect(() => applyEnvEdits(doc, { DB_PASSWORD: 'x' })).toThrow(UnencodableValueError);
    expect(() => applyEnvEdits(doc, { A: 'x' })).toThrow(expect.objectContaining({ reason: expect.stringMatching(/fix the file by hand/) }));
  });
});
