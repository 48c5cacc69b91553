import type { FieldFilter } from '../store/ports.js';
import { isFieldName } from '../store/field-path.js';

export interface SimpleQuery {
  filters: FieldFilter[];
  text: string[];
}

export type SimpleQueryResult = { ok: true; query: SimpleQuery } | { ok: false; reason: string; column: number };

/**
 * The interim search syntax: space-separated terms, each `field:value`, `field:"quoted value"`,
 * `field:*` (exists), `field:*part*` (contains) or a bare word / "phrase" (free text). All terms
 * must hold. The full query language replaces this with the Search issue.
 */
export function parseSimpleQuery(q: string): SimpleQueryResult {
  const filters: FieldFilter[] = [];
  const text: string[] = [];
  let i = 0;
  const n = q.length;
  const readValue = (): { value: string; quoted: boolean } | { error: string } => {
    if (q[i] === '"') {
      const start = i;
      i++;
      let v = '';
      while (i < n && q[i] !== '"') {
        if (q[i] === '\\' && i + 1 < n) i++;
        v += q[i];
        i++;
      }
      if (i >= n) return { error: `unterminated quote starting at column ${start + 1}` };
      i++;
      return { value: v, quoted: true };
    }
    const start = i;
    while (i < n && q[i] !== ' ' && q[i] !== '\t') i++;
    return { value: q.slice(start, i), quoted: false };
  };
  while (i < n) {
    while (i < n && (q[i] === ' ' || q[i] === '\t')) i++;
    if (i >= n) break;
    const col = i + 1;
    const colon = q.indexOf(':', i);
    const nextSpace = q.slice(i).search(/[\s"]/);
    const termEnd = nextSpace < 0 ? n : i + nextSpace;
    if (q[i] !== '"' && colon > i && colon < termEnd) {
      const field = q.slice(i, colon);
      if (!isFieldName(field)) return { ok: false, reason: `column ${col}: invalid field name ${JSON.stringify(field)}`, column: col };
      i = colon + 1;
      const v = readValue();
      if ('error' in v) return { ok: false, reason: v.error, column: col };
      if (v.value === '') return { ok: false, reason: `column ${i + 1}: expected a value after ${field}:`, column: i + 1 };
      if (!v.quoted && v.value === '*') filters.push({ field, op: 'exists' });
      else if (!v.quoted && v.value.length > 2 && v.value.startsWith('*') && v.value.endsWith('*')) filters.push({ field, op: 'contains', value: v.value.slice(1, -1) });
      else if (!v.quoted && /^-?\d+(\.\d+)?$/.test(v.value)) filters.push({ field, op: 'eq', value: Number(v.value) });
      else filters.push({ field, op: 'eq', value: v.value });
    } else {
      const v = readValue();
      if ('error' in v) return { ok: false, reason: v.error, column: col };
      if (v.value !== '') text.push(v.value);
    }
  }
  return { ok: true, query: { filters, text } };
}
