import { type Parsed, ok, fail } from '../../schema/result.js';
import { epochToIso } from './time.js';

/**
 * Zeek's ASCII ("TSV") log format: `#`-headers name the separator, fields and types; each data line
 * is one record. Values are typed here so that a TSV record equals the record Zeek's JSON writer
 * would have produced for the same line (unset fields absent, sets as arrays, times as ISO).
 */
export interface ZeekTsvHeader {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path: string;
  fields: string[];
  types: string[];
  /** Per-column [isContainer, scalar type], derived from `types` once per header. */
  compiled?: [boolean, string][];
}

export function defaultZeekHeader(): ZeekTsvHeader {
  return { separator: '\t', setSeparator: ',', emptyField: '(empty)', unsetField: '-', path: '', fields: [], types: [] };
}

/** Decodes Zeek's `\xHH` escapes (and `\\`); text without a backslash is returned unchanged. */
export function unescapeZeek(text: string): string {
  if (text.indexOf('\\') === -1) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[i + 1]!;
    if (n === 'x' && i + 3 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (n === '\\') {
      out += '\\';
      i += 1;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Applies one `#` header line to the header state. Returns true if the line was a header
 * (including `#open`/`#close`, which carry nothing we need).
 */
export function applyZeekHeaderLine(header: ZeekTsvHeader, line: string): boolean {
  if (!line.startsWith('#')) return false;
  if (line.startsWith('#separator')) {
    const rest = line.slice('#separator'.length).trim();
    const sep = unescapeZeek(rest);
    if (sep.length > 0) header.separator = sep;
    return true;
  }
  const parts = line.split(header.separator);
  const key = parts[0];
  const values = parts.slice(1);
  switch (key) {
    case '#set_separator':
      if (values[0]) header.setSeparator = unescapeZeek(values[0]);
      break;
    case '#empty_field':
      if (values[0] !== undefined) header.emptyField = values[0];
      break;
    case '#unset_field':
      if (values[0] !== undefined) header.unsetField = values[0];
      break;
    case '#path':
      header.path = values[0] ?? '';
      break;
    case '#fields':
      header.fields = values;
      break;
    case '#types':
      header.types = values;
      header.compiled = undefined;
      break;
    default:
      break;
  }
  return true;
}

function convertScalar(text: string, type: string): unknown {
  switch (type) {
    case 'count':
    case 'int':
    case 'port':
    case 'double':
    case 'interval': {
      const n = Number(text);
      return Number.isFinite(n) ? n : unescapeZeek(text);
    }
    case 'bool':
      return text === 'T' ? true : text === 'F' ? false : text;
    case 'time':
      return epochToIso(text) ?? text;
    default:
      return unescapeZeek(text);
  }
}

function compile(types: string[]): [boolean, string][] {
  return types.map((t) => {
    const m = /^(set|vector|table)\[(.*)\]$/.exec(t);
    return m ? [true, m[2] ?? 'string'] : [false, t];
  });
}

function convertValue(text: string, [container, inner]: [boolean, string], header: ZeekTsvHeader): unknown {
  const type = inner;
  if (container) {
    if (text === header.emptyField) return [];
    // Elements are split before unescaping: a separator inside an element is written as \x2c.
    return text.split(header.setSeparator).map((el) => convertScalar(el, inner));
  }
  if (text === header.emptyField && (type === 'string' || type === '')) return '';
  return convertScalar(text, type);
}

/** Parses one data line against the header; unset (`-`) fields are left out, as Zeek's JSON does. */
export function parseZeekTsvLine(header: ZeekTsvHeader, line: string): Parsed<Record<string, unknown>> {
  if (header.fields.length === 0) return fail('zeek tsv: data line before a #fields header');
  const values = line.split(header.separator);
  if (values.length !== header.fields.length) {
    return fail(`zeek tsv: ${values.length} values for ${header.fields.length} fields`);
  }
  const compiled = (header.compiled ??= compile(header.types));
  const record: Record<string, unknown> = {};
  for (let i = 0; i < values.length; i++) {
    const text = values[i]!;
    if (text === header.unsetField) continue;
    record[header.fields[i]!] = convertValue(text, compiled[i] ?? [false, 'string'], header);
  }
  return ok(record);
}
