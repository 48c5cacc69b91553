/**
 * Cuts lines straight out of Buffers (`indexOf(10)`), carrying the unfinished tail to the next
 * chunk; the caller decodes only the lines it wants (`toString('utf8', s, e)` per line is several
 * times faster than decoding a whole chunk and slicing strings).
 */
export type LineHandler = (buf: Buffer, start: number, end: number, line: number) => void;

export class LineCutter {
  private carry: Buffer | null = null;
  private line = 0;
  private skipping = false;

  constructor(private readonly maxLineBytes = 64 * 1024 * 1024, private readonly onTooLong?: (line: number, head: string) => void) {}

  push(chunk: Buffer, onLine: LineHandler): void {
    const buf = chunk;
    let start = 0;
    if (this.carry) {
      // Join only the carried tail with the head of this chunk: copying whole 4 MiB chunks costs.
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.carry = Buffer.concat([this.carry, chunk]);
        if (this.carry.length > this.maxLineBytes) {
          this.onTooLong?.(this.line + 1, this.carry.toString('utf8', 0, 1024));
          this.carry = null;
          this.skipping = true;
        }
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = null;
      this.line++;
      this.emit(joined, 0, joined.length, onLine);
      start = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1) break;
      this.line++;
      if (this.skipping) this.skipping = false;
      else this.emit(buf, start, nl, onLine);
      start = nl + 1;
    }
    if (start < buf.length && !this.skipping) {
      if (buf.length - start > this.maxLineBytes) {
        this.onTooLong?.(this.line + 1, buf.toString('utf8', start, start + 1024));
        this.skipping = true;
      } else this.carry = Buffer.from(buf.subarray(start));
    }
  }

  end(onLine: LineHandler): void {
    if (this.carry && !this.skipping) {
      this.line++;
      this.emit(this.carry, 0, this.carry.length, onLine);
    }
    this.carry = null;
  }

  private emit(buf: Buffer, s: number, e: number, onLine: LineHandler): void {
    if (e > s && buf[e - 1] === 13) e--;
    if (this.line === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    onLine(buf, s, e, this.line);
  }
}
