/**
 * BinXML token stream → a small tree, per chunk. Names and template definitions are addressed by
 * offsets relative to the chunk, so one `ChunkBinXml` holds the chunk's name and template caches.
 * Template definitions parse once into trees with substitution slots; each record then only
 * decodes its substitution values and fills the slots (`instantiate`).
 */
import { decodeScalar, EvtxFormatError, VT, type Scalar } from './values.js';

/** Concrete XML after substitution: elements, and text/value parts between them. */
export interface XElement {
  name: string;
  attrs: XAttr[];
  children: XChild[];
}
export interface XAttr {
  name: string;
  parts: Scalar[];
}
export type XChild = XElement | Scalar;

/** Template-level nodes (may hold substitution slots and nested template instances). */
interface TElement {
  k: 0;
  name: string;
  attrs: TAttr[];
  children: TNode[];
  /** Attributes without substitutions, shared by every instance (the tree is never mutated). */
  staticAttrs?: XAttr[];
  /** The whole element when nothing in it is substituted. */
  frozen?: XElement;
}
interface TSub {
  k: 1;
  id: number;
  optional: boolean;
}
interface TInstance {
  k: 2;
  def: TNode[];
  values: SubValue[];
}
interface TAttr {
  name: string;
  parts: (string | TSub)[];
}
type TNode = TElement | TSub | TInstance | string;

/** A substitution value: a scalar, or a nested BinXML fragment (value type 0x21). */
type SubValue = Scalar | TFragment;
interface TFragment {
  k: 3;
  nodes: TNode[];
}

const MAX_DEPTH = 64;
/** Bounds the work one record can cause through nested template instances. */
const MAX_NODES_PER_RECORD = 200_000;
const CHUNK_SIZE = 0x10000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class ChunkBinXml {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TNode[] | null>();
  private nodeBudget = 0;

  /** `base` is the chunk's offset in `buf`; `end` the end of the readable chunk bytes. */
  constructor(
    private readonly buf: Buffer,
    private readonly base: number,
    private readonly end: number,
  ) {}

  /** Parses one record's BinXML (absolute offsets) and returns its root element. */
  parseRecord(start: number, stop: number): XElement {
    const nodes: TNode[] = [];
    this.parseStream(start, Math.min(stop, this.end), false, 0, nodes);
    this.nodeBudget = MAX_NODES_PER_RECORD;
    const out: XChild[] = [];
    this.instantiate(nodes, EMPTY_VALUES, out, 0);
    for (const c of out) if (c !== null && typeof c === 'object') return c;
    throw new EvtxFormatError('record holds no element');
  }

  private fail(msg: string, pos: number): never {
    throw new EvtxFormatError(`${msg} at chunk offset 0x${(pos - this.base).toString(16)}`);
  }

  private check(pos: number, len: number): void {
    if (pos < this.base || pos + len > this.end) this.fail(`read of ${len} bytes out of bounds`, pos);
  }

  private u8(pos: number): number {
    this.check(pos, 1);
    return this.buf[pos]!;
  }
  private u16(pos: number): number {
    this.check(pos, 2);
    return this.buf.readUInt16LE(pos);
  }
  private u32(pos: number): number {
    this.check(pos, 4);
    return this.buf.readUInt32LE(pos);
  }

  /**
   * Reads a name by chunk offset. Returns the position after the name reference: when the name is
   * stored inline (its offset is the very next byte), the stream continues after it.
   */
  private name(pos: number): [string, number] {
    const off = this.u32(pos);
    const rel = pos + 4 - this.base;
    let name = this.names.get(off);
    if (name === undefined) {
      if (off < 0 || off + 8 > CHUNK_SIZE) this.fail(`name offset 0x${off.toString(16)} outside chunk`, pos);
      const at = this.base + off;
      const chars = this.u16(at + 6);
      this.check(at + 8, chars * 2);
      name = this.buf.toString('utf16le', at + 8, at + 8 + chars * 2);
      this.names.set(off, name);
    }
    if (off === rel) return [name, pos + 4 + 8 + name.length * 2 + 2];
    return [name, pos + 4];
  }

  /** Is `off` (chunk-relative) a plausible name offset for a reference read at `pos`? */
  private plausibleName(off: number, pos: number): boolean {
    const rel = pos + 4 - this.base;
    return off === rel || (off >= 0x80 && off + 8 <= rel);
  }

  /** Top-level stream: fragment headers, elements, template instances, PIs, until EOF or `stop`. */
  private parseStream(pos: number, stop: number, inSubst: boolean, depth: number, out: TNode[]): number {
    if (depth > MAX_DEPTH) this.fail('nesting too deep', pos);
    while (pos < stop) {
      const tok = this.u8(pos);
      switch (tok) {
        case 0x00:
          return pos + 1;
        case 0x0f:
          pos += 4;
          break;
        case 0x0c:
          pos = this.parseTemplateInstance(pos, depth, out);
          break;
        case 0x01:
        case 0x41:
          pos = this.parseElement(pos, inSubst, depth, out);
          break;
        case 0x0a:
          pos = this.name(pos + 1)[1];
          break;
        case 0x0b:
          pos += 3 + this.u16(pos + 1) * 2;
          break;
        default:
          this.fail(`unexpected token 0x${tok.toString(16)} in fragment`, pos);
      }
    }
    return pos;
  }

  private parseElement(pos: number, inSubst: boolean, depth: number, out: TNode[]): number {
    if (depth > MAX_DEPTH) this.fail('nesting too deep', pos);
    const hasAttrs = (this.u8(pos) & 0x40) !== 0;
    // The 2-byte dependency id is absent inside BinXml substitution values; some writers differ,
    // so the layout whose name offset makes sense wins.
    let p = pos + 1 + (inSubst ? 0 : 2);
    if (!this.plausibleName(this.u32(p + 4), p + 4)) {
      const alt = pos + 1 + (inSubst ? 2 : 0);
      if (alt + 8 <= this.end && this.plausibleName(this.buf.readUInt32LE(alt + 4), alt + 4)) p = alt;
    }
    p += 4; // data size: not needed, the tokens delimit the element
    const [name, afterName] = this.name(p);
    p = afterName;
    const el: TElement = { k: 0, name, attrs: [], children: [] };
    if (hasAttrs) {
      p += 4; // attribute list size
      for (;;) {
        const tok = this.u8(p);
        if ((tok & 0xbf) !== 0x06) break;
        const [attrName, afterAttrName] = this.name(p + 1);
        const parts: (string | TSub)[] = [];
        p = this.parseValueParts(afterAttrName, parts);
        el.attrs.push({ name: attrName, parts });
        if ((tok & 0x40) === 0) break;
      }
    }
    const close = this.u8(p);
    out.push(el);
    if (el.attrs.every((a) => a.parts.every((x) => typeof x === 'string'))) {
      el.staticAttrs = el.attrs.map((a) => ({ name: a.name, parts: a.parts as string[] }));
    }
    if (close === 0x03) {
      freeze(el);
      return p + 1;
    }
    if (close !== 0x02) this.fail(`expected close of start tag, got 0x${close.toString(16)}`, p);
    p++;
    const children = el.children;
    for (;;) {
      const tok = this.u8(p);
      switch (tok) {
        case 0x04:
          freeze(el);
          return p + 1;
        case 0x01:
        case 0x41:
          p = this.parseElement(p, inSubst, depth + 1, children);
          break;
        case 0x05:
        case 0x45:
        case 0x0d:
        case 0x0e:
        case 0x08:
        case 0x48:
        case 0x09:
        case 0x49:
          p = this.parseValuePart(p, children);
          break;
        case 0x07:
        case 0x47: {
          const chars = this.u16(p + 1);
          this.check(p + 3, chars * 2);
          children.push(this.buf.toString('utf16le', p + 3, p + 3 + chars * 2));
          p += 3 + chars * 2;
          break;
        }
        case 0x0a:
          p = this.name(p + 1)[1];
          break;
        case 0x0b:
          p += 3 + this.u16(p + 1) * 2;
          break;
        case 0x0c:
          p = this.parseTemplateInstance(p, depth + 1, children);
          break;
        default:
          this.fail(`unexpected token 0x${tok.toString(16)} in element <${name}>`, p);
      }
    }
  }

  /** Attribute data: a run of value/substitution/reference tokens. */
  private parseValueParts(p: number, parts: (string | TSub)[]): number {
    for (;;) {
      const tok = this.u8(p);
      switch (tok) {
        case 0x05:
        case 0x45:
        case 0x0d:
        case 0x0e:
        case 0x08:
        case 0x48:
        case 0x09:
        case 0x49:
          p = this.parseValuePart(p, parts);
          break;
        default:
          return p;
      }
    }
  }

  private parseValuePart(p: number, out: (TNode | string)[]): number {
    const tok = this.u8(p);
    switch (tok) {
      case 0x05:
      case 0x45: {
        const type = this.u8(p + 1);
        if (type !== VT.String) this.fail(`value token of type 0x${type.toString(16)}`, p);
        const chars = this.u16(p + 2);
        this.check(p + 4, chars * 2);
        out.push(this.buf.toString('utf16le', p + 4, p + 4 + chars * 2));
        return p + 4 + chars * 2;
      }
      case 0x0d:
      case 0x0e:
        out.push({ k: 1, id: this.u16(p + 1), optional: tok === 0x0e });
        this.u8(p + 3);
        return p + 4;
      case 0x08:
      case 0x48:
        out.push(String.fromCharCode(this.u16(p + 1)));
        return p + 3;
      default: {
        const [entity, next] = this.name(p + 1);
        out.push(ENTITIES[entity] ?? `&${entity};`);
        return next;
      }
    }
  }

  private parseTemplateInstance(pos: number, depth: number, out: TNode[]): number {
    if (depth > MAX_DEPTH) this.fail('nesting too deep', pos);
    let p = pos + 1 + 1 + 4; // token, unknown byte, template id
    const defOff = this.u32(p);
    p += 4;
    if (defOff === p - this.base) {
      // Definition stored inline: next-offset(4), GUID(16), data size(4), data.
      p += 24 + this.u32(p + 20);
    }
    const def = this.template(defOff, depth);
    const count = this.u32(p);
    p += 4;
    this.check(p, count * 4);
    let dataPos = p + count * 4;
    const values: SubValue[] = new Array<SubValue>(count);
    for (let i = 0; i < count; i++) {
      const size = this.buf.readUInt16LE(p + i * 4);
      const type = this.buf[p + i * 4 + 2]!;
      this.check(dataPos, size);
      if (type === VT.BinXml) {
        const nodes: TNode[] = [];
        if (size > 0) this.parseStream(dataPos, dataPos + size, true, depth + 1, nodes);
        values[i] = { k: 3, nodes };
      } else {
        values[i] = decodeScalar(this.buf, dataPos, size, type);
      }
      dataPos += size;
    }
    out.push({ k: 2, def, values });
    return dataPos;
  }

  private template(off: number, depth: number): TNode[] {
    const cached = this.templates.get(off);
    if (cached) return cached;
    if (cached === null) this.fail('template refers to itself', this.base + off);
    if (off + 24 > CHUNK_SIZE) this.fail(`template offset 0x${off.toString(16)} outside chunk`, this.base);
    this.templates.set(off, null);
    const at = this.base + off;
    const size = this.u32(at + 20);
    this.check(at + 24, size);
    const nodes: TNode[] = [];
    this.parseStream(at + 24, at + 24 + size, false, depth + 1, nodes);
    this.templates.set(off, nodes);
    return nodes;
  }

  /** Fills substitution slots, expanding template instances and nested fragments in place. */
  private instantiate(nodes: TNode[], values: SubValue[], out: XChild[], depth: number): void {
    if (depth > MAX_DEPTH) throw new EvtxFormatError('template instances nested too deep');
    if ((this.nodeBudget -= nodes.length) < 0) throw new EvtxFormatError('record expands to too many nodes');
    for (const n of nodes) {
      if (typeof n === 'string') {
        out.push(n);
      } else if (n.k === 0) {
        if (n.frozen) {
          out.push(n.frozen);
          continue;
        }
        const el: XElement = { name: n.name, attrs: n.staticAttrs ?? [], children: [] };
        if (!n.staticAttrs) for (const a of n.attrs) {
          const parts: Scalar[] = [];
          for (const part of a.parts) {
            if (typeof part === 'string') parts.push(part);
            else {
              const v = values[part.id];
              // A fragment cannot live in an attribute; treat it as empty.
              parts.push(v === undefined || (v !== null && typeof v === 'object') ? null : v);
            }
          }
          el.attrs.push({ name: a.name, parts });
        }
        this.instantiate(n.children, values, el.children, depth + 1);
        out.push(el);
      } else if (n.k === 1) {
        const v = values[n.id];
        if (v === undefined) out.push(null);
        else if (v !== null && typeof v === 'object') this.instantiate(v.nodes, EMPTY_VALUES, out, depth + 1);
        else out.push(v);
      } else {
        this.instantiate(n.def, n.values, out, depth + 1);
      }
    }
  }
}

const EMPTY_VALUES: SubValue[] = [];

/** Marks an element whose content holds no substitution as shareable as-is. */
function freeze(el: TElement): void {
  if (!el.staticAttrs) return;
  const children: XChild[] = [];
  for (const c of el.children) {
    if (typeof c === 'string') children.push(c);
    else if (c.k === 0 && c.frozen) children.push(c.frozen);
    else return;
  }
  el.frozen = { name: el.name, attrs: el.staticAttrs, children };
}
