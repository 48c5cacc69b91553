/**
 * Splits a stream of concatenated JSON values (`{..}{..}` or `{..}\n{..}`, as Splunk HEC bodies
 * are) into one byte range per top-level value, without parsing them. It tracks only string
 * state, escapes and bracket depth, so it is linear and works byte by byte on UTF-8 (every
 * structural character is ASCII). Bytes between values that are not whitespace come out as a
 * `garbage` segment so the caller can report them.
 */
export interface JsonSegment {
  /** The bytes of one top-level value (or of garbage between values). */
  bytes: Buffer;
  kind: 'value' | 'garbage' | 'truncated';
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Nesting deeper than this is cut into a garbage segment: JSON.parse would recurse on it. */
const MAX_DEPTH = 512;

export class JsonSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inGarbage = false;

  /** Feeds a chunk; returns the segments completed by it. */
  push(chunk: Buffer): JsonSegment[] {
    const out: JsonSegment[] = [];
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.depth > 0) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          if (++this.depth > MAX_DEPTH) {
            this.depth = 0;
            this.inGarbage = true;
          }
        } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          if (--this.depth === 0) {
            out.push({ bytes: this.take(chunk, segStart, i + 1), kind: 'value' });
            segStart = i + 1;
          }
        }
        continue;
      }
      // Between values: whitespace, the start of the next object, or garbage up to it.
      if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        if (this.inGarbage) {
          out.push({ bytes: this.take(chunk, segStart, i), kind: 'garbage' });
          this.inGarbage = false;
        } else if (this.pendingLength > 0) this.dropPending();
        segStart = i;
        this.depth = 1;
        this.inString = false;
        this.escaped = false;
      } else if (!isSpace(b)) {
        if (!this.inGarbage) {
          this.dropPending();
          segStart = i;
          this.inGarbage = true;
        }
      } else if (!this.inGarbage) {
        segStart = i + 1;
      }
    }
    if (this.depth > 0 || this.inGarbage) {
      const rest = chunk.subarray(segStart);
      this.pending.push(rest);
      this.pendingLength += rest.length;
    }
    return out;
  }

  /** Ends the stream: an unfinished value comes out as `truncated`, trailing junk as `garbage`. */
  end(): JsonSegment[] {
    if (this.pendingLength === 0) return [];
    const bytes = Buffer.concat(this.pending, this.pendingLength);
    const kind = this.depth > 0 ? 'truncated' : 'garbage';
    this.dropPending();
    this.depth = 0;
    this.inGarbage = false;
    return [{ bytes, kind }];
  }

  private take(chunk: Buffer, start: number, end: number): Buffer {
    const part = chunk.subarray(start, end);
    if (this.pendingLength === 0) return part;
    const all = Buffer.concat([...this.pending, part], this.pendingLength + part.length);
    this.dropPending();
    return all;
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingLength = 0;
  }
}

/** All segments of a complete body. */
export function splitJsonValues(body: Buffer): JsonSegment[] {
  const s = new JsonSplitter();
  const out = s.push(body);
  for (const seg of s.end()) out.push(seg);
  return out;
}
