/**
 * Concrete BinXML tree → the JSON shape `evtx_dump -o json` writes:
 * an element is `null` when empty, a scalar when it holds only text, else an object with
 * `#attributes`, `#text` and child elements (repeated names get `_1`, `_2`, ... suffixes);
 * `EventData`/`UserData` turn `<Data Name="k">v</Data>` into `k: v`.
 */
import type { Scalar } from './values.js';
import type { XAttr, XChild, XElement } from './binxml.js';

export type JsonValue = Scalar | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

function isElement(c: XChild): c is XElement {
  return c !== null && typeof c === 'object';
}

function isEmptyPart(p: Scalar): boolean {
  return p === null || p === '';
}

function hasText(parts: readonly XChild[]): boolean {
  for (const p of parts) if (!isElement(p) && !isEmptyPart(p)) return true;
  return false;
}

/** A lone integer/boolean stays typed; anything else is concatenated text. */
function contentValue(parts: readonly XChild[]): Scalar {
  let single: Scalar | undefined;
  let count = 0;
  for (const p of parts) {
    if (isElement(p) || isEmptyPart(p)) continue;
    single = p;
    count++;
  }
  if (count === 1 && (typeof single === 'number' || typeof single === 'boolean')) return single;
  if (count === 1 && typeof single === 'string') return single;
  let s = '';
  for (const p of parts) if (!isElement(p) && p !== null) s += String(p);
  return s;
}

function attributesObject(attrs: readonly XAttr[]): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const a of attrs) {
    if (!hasText(a.parts)) continue;
    (out ??= {})[a.name] = contentValue(a.parts);
  }
  return out;
}

function hasElementChild(el: XElement): boolean {
  for (const c of el.children) if (isElement(c)) return true;
  return false;
}

function nameAttr(el: XElement): XAttr | undefined {
  for (const a of el.attrs) if (a.name === 'Name') return a;
  return undefined;
}

function dataValue(el: XElement): JsonValue {
  if (hasElementChild(el)) return elementBody(el, false);
  if (!hasText(el.children)) return '';
  return contentValue(el.children);
}

export function elementValue(el: XElement): JsonValue {
  const childEl = hasElementChild(el);
  const text = hasText(el.children);
  let attrText = false;
  for (const a of el.attrs) if (hasText(a.parts)) attrText = true;
  if (!childEl && !text && !attrText) return null;
  if (!childEl && !attrText) return contentValue(el.children);
  return elementBody(el, el.name === 'EventData' || el.name === 'UserData');
}

function elementBody(el: XElement, dataContainer: boolean): JsonObject {
  const out: JsonObject = {};
  const attrs = attributesObject(el.attrs);
  if (attrs) out['#attributes'] = attrs;
  if (hasText(el.children)) out['#text'] = contentValue(el.children);

  let flattenNamed = false;
  let positional: XElement[] | undefined;
  if (dataContainer) {
    for (const c of el.children) {
      if (!isElement(c) || c.name !== 'Data') continue;
      const n = nameAttr(c);
      if (n && hasText(n.parts)) flattenNamed = true;
      (positional ??= []).push(c);
    }
  }
  let positionalDone = false;
  for (const c of el.children) {
    if (!isElement(c)) continue;
    if (dataContainer && c.name === 'Data') {
      if (flattenNamed) {
        const n = nameAttr(c);
        if (!n || !hasText(n.parts)) continue;
        setKey(out, String(contentValue(n.parts)), dataValue(c));
      } else if (!positionalDone && positional) {
        positionalDone = true;
        out.Data = { '#text': positional.length === 1 ? dataValue(c) : positional.map(dataValue) };
      }
      continue;
    }
    // Repeated names get the first free `_N` suffix (Header, Header_1, ...), as evtx_dump does.
    let key = c.name;
    for (let n = 1; Object.prototype.hasOwnProperty.call(out, key); n++) key = `${c.name}_${n}`;
    setKey(out, key, elementValue(c));
  }
  return out;
}

/** Keys come from untrusted data: never let one reach the prototype. */
function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** `{ [root name]: value }`, e.g. `{ Event: {...} }`. */
export function treeToJson(root: XElement): JsonObject {
  const out: JsonObject = {};
  setKey(out, root.name, elementValue(root));
  return out;
}
