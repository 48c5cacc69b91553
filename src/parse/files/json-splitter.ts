/**
 * Cuts a byte stream holding JSON values back to back (pretty-printed or not), or one JSON array,
 * into the text of each top-level value (each element for an array), without parsing them. It
 * tracks strings and escapes so braces inside strings do not count. Works on bytes: every
 * structural character is ASCII, so UTF-8 multi-byte sequences never match.
 */
export interface SplitValue { text: string; line: number }
export interface SplitError { reason: string; raw: string; line: number }

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export class JsonValueSplitter {
  private parts: Buffer[] = [];
  private partsLength = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private inValue = false;
  private scalar = false;
  private line = 1;
  private valueLine = 1;
  /** 0: not decided; 1: array mode (elements at depth 1); 2: stream of values. */
  private mode = 0;
  private started = false;
  private done = false;

  constructor(private readonly maxValueBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer, onValue: (v: SplitValue) => void, onError: (e: SplitError) => void): void {
    let segStart = -1;
    const base = this.mode === 1 ? 1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 0x0a) this.line++;
      if (this.done) continue;
      if (!this.inValue) {
        if (WS.has(c)) continue;
        if (!this.started) {
          this.started = true;
          if (i === 0 && c === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
            i += 2;
            this.started = false;
            continue;
          }
          if (c === 0x5b /* [ */) {
            this.mode = 1;
            this.depth = 1;
            return this.push(chunk.subarray(i + 1), onValue, onError);
          }
          this.mode = 2;
        }
        if (this.mode === 1) {
          if (c === 0x2c /* , */) continue;
          if (c === 0x5d /* ] */ && this.depth === 1) {
            this.done = true;
            continue;
          }
        }
        if (this.mode === 2 && c === 0x2c) continue;
        if (c === 0x5d || c === 0x7d) {
          onError({ reason: 'json: unexpected closing bracket', raw: String.fromCharCode(c), line: this.line });
          continue;
        }
        this.inValue = true;
        this.valueLine = this.line;
        segStart = i;
        this.scalar = c !== 0x7b && c !== 0x5b;
        if (c === 0x22) {
          this.inString = true;
          continue;
        }
        if (!this.scalar) {
          this.depth++;
          continue;
        }
      }
      if (segStart === -1) segStart = i;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.scalar && this.depth === base) {
            this.finish(chunk, segStart, i + 1, onValue);
            segStart = -1;
          }
        }
        continue;
      }
      if (this.scalar && this.depth === base) {
        // A bare scalar (number, true, ...) ends at whitespace or a separator.
        if (WS.has(c) || c === 0x2c || c === 0x5d || c === 0x7b || c === 0x5b) {
          this.finish(chunk, segStart, i, onValue);
          segStart = -1;
          i--;
          if (c === 0x0a) this.line--;
        }
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === base) {
          this.finish(chunk, segStart, i + 1, onValue);
          segStart = -1;
        } else if (this.depth < base) {
          onError({ reason: 'json: unbalanced closing bracket', raw: this.take(chunk, segStart, i + 1).slice(0, 4096), line: this.valueLine });
          this.reset(base);
          segStart = -1;
        }
      }
    }
    if (this.inValue && segStart !== -1) {
      const part = chunk.subarray(segStart);
      this.parts.push(Buffer.from(part));
      this.partsLength += part.length;
      if (this.partsLength > this.maxValueBytes) {
        onError({ reason: `json: value over ${this.maxValueBytes} bytes`, raw: Buffer.concat(this.parts).toString('utf8', 0, 4096), line: this.valueLine });
        this.done = true;
      }
    }
  }

  /** Call at end of input: an unfinished value is an error. */
  end(onValue: (v: SplitValue) => void, onError: (e: SplitError) => void): void {
    if (this.inValue && this.scalar && !this.inString && this.depth === (this.mode === 1 ? 1 : 0)) {
      this.finish(Buffer.alloc(0), 0, 0, onValue);
      return;
    }
    if (this.inValue) onError({ reason: 'json: input ended inside a value', raw: Buffer.concat(this.parts).toString('utf8', 0, 4096), line: this.valueLine });
    else if (this.mode === 1 && !this.done) onError({ reason: 'json: array not closed', raw: '', line: this.line });
    this.parts = [];
  }

  private take(chunk: Buffer, s: number, e: number): string {
    if (this.parts.length === 0) return chunk.toString('utf8', s, e);
    this.parts.push(chunk.subarray(s, e));
    return Buffer.concat(this.parts).toString('utf8');
  }

  private finish(chunk: Buffer, s: number, e: number, onValue: (v: SplitValue) => void): void {
    const text = this.take(chunk, s, e);
    const line = this.valueLine;
    this.reset(this.mode === 1 ? 1 : 0);
    onValue({ text, line });
  }

  private reset(base: number): void {
    this.parts = [];
    this.partsLength = 0;
    this.inValue = false;
    this.inString = false;
    this.escape = false;
    this.scalar = false;
    this.depth = base;
  }
}
