/**
 * Dissect (Elasticsearch/Logstash): split a string by the literal delimiters between `%{key}`s.
 * Modifiers: `%{}`/`%{?name}` skip, `%{+name}` append (ordered by `/n`), `%{*k}`/`%{&k}`
 * reference pairs (the value of *k names the field, &k gives its value), `->` skips repeated
 * delimiters after the key.
 */
interface Key {
  name: string;
  kind: 'normal' | 'skip' | 'append' | 'refname' | 'refvalue';
  order: number;
  padding: boolean;
}

export interface CompiledDissect {
  prefix: string;
  /** Each key and the delimiter that follows it ('' for the last when nothing follows). */
  parts: Array<{ key: Key; delimiter: string }>;
}

const KEY = /%\{([^}]*)\}/g;

function parseKey(raw: string): Key {
  let s = raw;
  let padding = false;
  if (s.endsWith('->')) {
    padding = true;
    s = s.slice(0, -2);
  }
  let kind: Key['kind'] = 'normal';
  if (s === '' || s.startsWith('?')) kind = 'skip';
  else if (s.startsWith('+')) kind = 'append';
  else if (s.startsWith('*')) kind = 'refname';
  else if (s.startsWith('&')) kind = 'refvalue';
  if (kind !== 'normal' && s !== '') s = s.slice(1);
  let order = 0;
  const slash = /\/(\d+)$/.exec(s);
  if (kind === 'append' && slash) {
    order = Number(slash[1]);
    s = s.slice(0, slash.index);
  }
  return { name: s, kind, order, padding };
}

export function compileDissect(pattern: string): CompiledDissect {
  const matches = [...pattern.matchAll(KEY)];
  if (matches.length === 0) throw new Error(`Unable to parse pattern: ${pattern}`);
  const prefix = pattern.slice(0, matches[0]!.index);
  const parts = matches.map((m, i) => {
    const end = m.index + m[0].length;
    const next = i + 1 < matches.length ? matches[i + 1]!.index : pattern.length;
    const delimiter = pattern.slice(end, next);
    if (delimiter === '' && i + 1 < matches.length)
      throw new Error(`Invalid pattern: keys must be separated by a delimiter: ${pattern}`);
    return { key: parseKey(m[1]!), delimiter };
  });
  const refs = parts.filter((p) => p.key.kind === 'refname' || p.key.kind === 'refvalue');
  for (const r of refs) {
    const other = r.key.kind === 'refname' ? 'refvalue' : 'refname';
    if (!refs.some((x) => x.key.kind === other && x.key.name === r.key.name))
      throw new Error(`Invalid pattern: reference key [${r.key.name}] has no pair`);
  }
  return { prefix, parts };
}

/** The fields the pattern extracts from `text`, or undefined when the text does not fit. */
export function dissect(
  d: CompiledDissect,
  text: string,
  appendSeparator = '',
): Map<string, string> | undefined {
  if (!text.startsWith(d.prefix)) return undefined;
  let pos = d.prefix.length;
  const values: Array<{ key: Key; value: string }> = [];
  for (let i = 0; i < d.parts.length; i++) {
    const { key, delimiter } = d.parts[i]!;
    const last = i === d.parts.length - 1;
    let value: string;
    if (delimiter === '') {
      value = text.slice(pos);
      pos = text.length;
    } else {
      const start = pos;
      const at = text.indexOf(delimiter, pos);
      if (at === -1) return undefined;
      value = text.slice(start, at);
      pos = at + delimiter.length;
      if (key.padding) while (text.startsWith(delimiter, pos)) pos += delimiter.length;
      // A trailing delimiter ends the last key at its last occurrence: the value keeps the rest.
      if (last) value = text.slice(start, Math.max(at, text.lastIndexOf(delimiter)));
    }
    values.push({ key, value });
  }
  const out = new Map<string, string>();
  const appends = new Map<string, Array<{ order: number; seq: number; value: string }>>();
  const refNames = new Map<string, string>();
  const refValues = new Map<string, string>();
  values.forEach(({ key, value }, seq) => {
    if (key.kind === 'skip') return;
    if (key.kind === 'refname') refNames.set(key.name, value);
    else if (key.kind === 'refvalue') refValues.set(key.name, value);
    else if (key.kind === 'append' || out.has(key.name) || appends.has(key.name)) {
      const list = appends.get(key.name) ?? [];
      if (out.has(key.name)) {
        list.push({ order: -1, seq: -1, value: out.get(key.name)! });
        out.delete(key.name);
      }
      list.push({ order: key.order, seq, value });
      appends.set(key.name, list);
    } else out.set(key.name, value);
  });
  for (const [name, list] of appends) {
    list.sort((a, b) => a.order - b.order || a.seq - b.seq);
    out.set(name, list.map((x) => x.value).join(appendSeparator));
  }
  for (const [k, name] of refNames) out.set(name, refValues.get(k) ?? '');
  return out;
}
