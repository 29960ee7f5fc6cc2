import { describe, expect, it } from 'vitest';
import { applyEnvEdits, encodeEnvValue, envValues, parseEnvDocument, serializeEnvDocument } from './env-document';

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
