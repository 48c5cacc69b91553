/**
 * Protocol Buffers wire format, read by hand: varint (0), fixed64 (1), length-delimited (2),
 * fixed32 (5). Every read is bounds-checked and reports failure through `ok` instead of throwing,
 * so hostile bytes can only produce a refusal.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

export class WireReader {
  pos: number;
  /** False once a read ran past the end or met an invalid encoding; later reads return zeros. */
  ok = true;
  error = '';

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return !this.ok || this.pos >= this.end;
  }

  fail(reason: string): void {
    if (this.ok) {
      this.ok = false;
      this.error = `${reason} at byte ${this.pos}`;
    }
    this.pos = this.end;
  }

  /** A varint as a JS number; exact up to 2^53, approximate beyond (callers needing int64 use varint64). */
  varint(): number {
    const b = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        this.fail('truncated varint');
        return 0;
      }
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) return result;
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes');
    return 0;
  }

  /** A varint read as signed int64: a number when it is a safe integer, else a decimal string. */
  varint64(): number | string {
    const start = this.pos;
    const approx = this.varint();
    if (!this.ok) return 0;
    if (approx <= Number.MAX_SAFE_INTEGER) return approx;
    let v = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      v |= BigInt(this.buf[p]! & 0x7f) << shift;
      shift += 7n;
    }
    const signed = BigInt.asIntN(64, v);
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed.toString();
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) {
      this.fail('truncated fixed32');
      return 0;
    }
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** fixed64 as an unsigned number (nanosecond timestamps: exact to well under a microsecond). */
  fixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi * TWO_32 + lo;
  }

  /**
   * fixed64 nanoseconds as whole milliseconds, exactly: hi·2^32 = hi·4294·10^6 + hi·967296, so
   * the division never goes through a double that has lost the low nanoseconds.
   */
  fixed64Millis(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
  }

  double(): number {
    if (this.pos + 8 > this.end) {
      this.fail('truncated double');
      return 0;
    }
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  /** Bounds of a length-delimited field; the reader moves past it. */
  bytes(): [number, number] {
    const len = this.varint();
    if (!this.ok) return [this.pos, this.pos];
    if (len > this.end - this.pos) {
      this.fail('length-delimited field runs past its message');
      return [this.pos, this.pos];
    }
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  string(): string {
    const [s, e] = this.bytes();
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + s, e - s).toString('utf8');
  }

  /** A field key: [field number, wire type]. Field number 0 is invalid in protobuf. */
  tag(): [number, number] {
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (this.ok && field === 0) this.fail('field number 0');
    return [field, wire];
  }

  /** Skips an unknown field by its wire type; groups (3, 4) are deprecated and refused. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail('truncated fixed64');
        else this.pos += 8;
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail('truncated fixed32');
        else this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  sub(range: [number, number]): WireReader {
    return new WireReader(this.buf, range[0], range[1]);
  }
}

/** Minimal writer for our own responses (ExportLogsServiceResponse) and for tests. */
export class WireWriter {
  private readonly parts: number[] = [];

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.parts.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.parts.push(Number(n));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  fixed64(v: bigint): this {
    const n = BigInt.asUintN(64, v);
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((n >> (8n * i)) & 0xffn));
    return this;
  }

  fixed32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }

  double(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    for (const x of b) this.parts.push(x);
    return this;
  }

  bytes(field: number, data: Uint8Array | string): this {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.tag(field, WIRE_LEN).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  message(field: number, inner: WireWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
