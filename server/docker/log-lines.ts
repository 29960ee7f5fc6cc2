// Turns Docker's timestamped log bytes into lines. Kept free of dockerode so it can be tested alone.

export type LogStreamName = 'stdout' | 'stderr';
export type LogLine = { ts: string; stream: LogStreamName; text: string };

const NEWLINE = 0x0a;

/**
 * Splits one demultiplexed stream into lines. Works on bytes, so a UTF-8 character cut between
 * two chunks is decoded whole; a line is emitted only once its newline has arrived (or at flush).
 */
export class LineSplitter {
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stream: LogStreamName,
    private readonly emit: (line: LogLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let nl = data.indexOf(NEWLINE);
    while (nl !== -1) {
      this.emitLine(data.subarray(0, nl));
      data = data.subarray(nl + 1);
      nl = data.indexOf(NEWLINE);
    }
    this.carry = Buffer.from(data);
  }

  flush(): void {
    if (this.carry.length) this.emitLine(this.carry);
    this.carry = Buffer.alloc(0);
  }

  private emitLine(bytes: Buffer): void {
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    // With timestamps=true Docker prefixes every line with RFC3339Nano and one space.
    const space = text.indexOf(' ');
    const head = space > 0 ? text.slice(0, space) : '';
    if (TIMESTAMP.test(head)) this.emit({ ts: head, stream: this.stream, text: text.slice(space + 1) });
    else this.emit({ ts: '', stream: this.stream, text });
  }
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** A sortable key: Go trims trailing zeros in some formats, so pad the fraction to 9 digits. */
export function timestampKey(ts: string): string {
  const m = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Docker's `since`/`until` accept `seconds.nanoseconds`; this keeps full precision. */
export function toDockerTime(ts: string): string {
  const key = timestampKey(ts);
  const seconds = Math.floor(Date.parse(`${key.slice(0, 19)}Z`) / 1000);
  return `${seconds}.${key.slice(20, 29)}`;
}

/** The reverse of toDockerTime: `seconds.nanoseconds` as an RFC3339Nano timestamp. */
export function fromDockerTime(value: string): string {
  const [seconds, fraction = ''] = value.split('.');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(9, '0').slice(0, 9)}Z`;
}
