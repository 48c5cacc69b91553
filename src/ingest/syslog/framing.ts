/**
 * Syslog over TCP framing (RFC 6587), one decoder per connection. Auto-detects octet counting
 * (`123 <PRI>...`) vs delimiter framing (LF, also NUL and CRLF) from the first frame, and keeps
 * buffering bounded: a frame longer than `maxMessageSize` is reported with its size and first bytes,
 * then skipped until the next frame boundary. Pure: feed Buffers, get frames back.
 */

export type Frame =
  | { ok: true; message: Buffer }
  | { ok: false; reason: 'oversize' | 'truncated'; size: number; head: Buffer };

export type FramingMode = 'unknown' | 'octet-counting' | 'delimited';

export interface FramerOptions {
  /** Largest message accepted, in bytes (default 64 KiB). */
  maxMessageSize?: number;
  /** Bytes of an oversize frame kept for the error report (default 256). */
  headBytes?: number;
}

const enum State {
  Start,
  Header,
  Body,
  Line,
  SkipBody,
  SkipLine,
}

const MAX_DIGITS = 10;

export class SyslogFramer {
  readonly maxMessageSize: number;
  private readonly headBytes: number;
  private mode: FramingMode = 'unknown';
  private state: State = State.Start;
  private parts: Buffer[] = [];
  private partsLen = 0;
  private count = 0;
  private digitsSeen = 0;
  private remaining = 0;
  private skipped = 0;
  private head: Buffer[] = [];
  private headLen = 0;

  constructor(opts: FramerOptions = {}) {
    this.maxMessageSize = Math.max(1, opts.maxMessageSize ?? 65536);
    this.headBytes = Math.max(0, opts.headBytes ?? 256);
  }

  /** The framing this connection was detected to use. */
  get framing(): FramingMode {
    return this.mode;
  }

  /** Bytes held for an incomplete frame (never more than maxMessageSize). */
  get buffered(): number {
    return this.partsLen;
  }

  /** Feeds one chunk; returns the frames it completed (in order). */
  push(chunk: Uint8Array): Frame[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Frame[] = [];
    const n = buf.length;
    let i = 0;
    let nextLf = -2;
    let nextNul = -2;
    const delimiterFrom = (from: number): number => {
      if (nextLf !== -1 && nextLf < from) nextLf = buf.indexOf(10, from);
      if (nextNul !== -1 && nextNul < from) nextNul = buf.indexOf(0, from);
      if (nextLf < 0) return nextNul;
      if (nextNul < 0) return nextLf;
      return Math.min(nextLf, nextNul);
    };
    while (i < n) {
      switch (this.state) {
        case State.Start: {
          const c = buf[i]!;
          if (c === 10 || c === 13 || c === 0) {
            i++;
            break;
          }
          if (c >= 48 && c <= 57 && this.mode !== 'delimited') {
            this.state = State.Header;
            this.count = 0;
            this.digitsSeen = 0;
          } else {
            if (this.mode === 'unknown') this.mode = 'delimited';
            this.state = State.Line;
          }
          break;
        }
        case State.Header: {
          const c = buf[i]!;
          if (c >= 48 && c <= 57 && this.digitsSeen < MAX_DIGITS) {
            this.count = this.count * 10 + (c - 48);
            this.digitsSeen++;
            i++;
            break;
          }
          if (c === 32 && this.digitsSeen > 0) {
            i++;
            if (this.mode === 'unknown') this.mode = 'octet-counting';
            if (this.count > this.maxMessageSize) {
              this.state = State.SkipBody;
              this.remaining = this.count;
              this.skipped = this.count;
              this.head = [];
              this.headLen = 0;
            } else if (this.count === 0) {
              this.state = State.Start;
            } else {
              this.state = State.Body;
              this.remaining = this.count;
            }
            break;
          }
          // Not an octet count after all (e.g. a line starting with digits): read it as a line.
          const digitsText = Buffer.from(String(this.count).padStart(this.digitsSeen, '0'));
          this.parts = [digitsText];
          this.partsLen = digitsText.length;
          if (this.mode === 'unknown') this.mode = 'delimited';
          this.state = State.Line;
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, n - i);
          this.parts.push(buf.subarray(i, i + take));
          this.partsLen += take;
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            out.push({ ok: true, message: this.takeParts() });
            this.state = State.Start;
          }
          break;
        }
        case State.SkipBody: {
          const take = Math.min(this.remaining, n - i);
          this.keepHead(buf.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            out.push(this.oversize());
            this.state = State.Start;
          }
          break;
        }
        case State.Line: {
          const j = delimiterFrom(i);
          const end = j < 0 ? n : j;
          const len = end - i;
          if (this.partsLen + len > this.maxMessageSize) {
            // Over the limit: keep only the head, drop the rest until the delimiter.
            this.head = [];
            this.headLen = 0;
            for (const p of this.parts) this.keepHead(p);
            this.keepHead(buf.subarray(i, end));
            this.skipped = this.partsLen + len;
            this.parts = [];
            this.partsLen = 0;
            i = end;
            if (j >= 0) {
              out.push(this.oversize());
              this.state = State.Start;
              i = j + 1;
            } else {
              this.state = State.SkipLine;
            }
            break;
          }
          if (len > 0) {
            this.parts.push(buf.subarray(i, end));
            this.partsLen += len;
          }
          if (j < 0) {
            i = n;
            break;
          }
          i = j + 1;
          this.emitLine(out);
          break;
        }
        case State.SkipLine: {
          const j = delimiterFrom(i);
          const end = j < 0 ? n : j;
          this.skipped += end - i;
          if (j < 0) {
            i = n;
            break;
          }
          i = j + 1;
          out.push(this.oversize());
          this.state = State.Start;
          break;
        }
      }
    }
    return out;
  }

  /** Connection closed: returns the last unterminated line, or reports a cut-off frame. */
  end(): Frame[] {
    const out: Frame[] = [];
    switch (this.state) {
      case State.Line:
        this.emitLine(out);
        break;
      case State.Header:
        if (this.digitsSeen > 0) {
          const m = Buffer.from(String(this.count).padStart(this.digitsSeen, '0'));
          out.push({ ok: true, message: m });
        }
        break;
      case State.Body: {
        const got = this.takeParts();
        out.push({ ok: false, reason: 'truncated', size: got.length, head: Buffer.from(got.subarray(0, this.headBytes)) });
        break;
      }
      case State.SkipBody:
      case State.SkipLine:
        out.push(this.oversize());
        break;
      default:
        break;
    }
    this.state = State.Start;
    this.parts = [];
    this.partsLen = 0;
    return out;
  }

  private emitLine(out: Frame[]): void {
    let msg = this.takeParts();
    let e = msg.length;
    while (e > 0 && msg[e - 1] === 13) e--;
    if (e !== msg.length) msg = msg.subarray(0, e);
    this.state = State.Start;
    if (msg.length > 0) out.push({ ok: true, message: msg });
  }

  private takeParts(): Buffer {
    const parts = this.parts;
    const m = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.partsLen);
    this.parts = [];
    this.partsLen = 0;
    return m;
  }

  private keepHead(b: Buffer): void {
    if (this.headLen >= this.headBytes) return;
    const take = Math.min(b.length, this.headBytes - this.headLen);
    // copy: the caller may reuse its chunk buffers
    this.head.push(Buffer.from(b.subarray(0, take)));
    this.headLen += take;
  }

  private oversize(): Frame {
    const f: Frame = { ok: false, reason: 'oversize', size: this.skipped, head: Buffer.concat(this.head, this.headLen) };
    this.head = [];
    this.headLen = 0;
    this.skipped = 0;
    return f;
  }
}
