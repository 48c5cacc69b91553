/**
 * A fast reader for the plain YAML subset Sigma rules are written in (block maps and lists,
 * plain/quoted/block scalars, simple flow lists, comments, `---` documents). The general YAML
 * library costs about 1 ms per rule file; this reader is several times faster. Anything outside
 * the subset (anchors, tags, flow maps, multi-line plain scalars, duplicate keys, ...) returns
 * undefined and the caller falls back to the full library, so results never differ — a test
 * compares both readers over every SigmaHQ rule.
 */

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

interface Line {
  indent: number;
  text: string; // content without indentation and trailing comment
  raw: string; // full original line
}

function stripComment(s: string): string {
  // A comment starts at '#' preceded by whitespace, outside quotes.
  let q: string | null = null;
  // Depth of flow sequences opened where a value starts: `[` inside a plain scalar (`a['b`) is text.
  let flow = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) {
        if (q === "'" && s[i + 1] === "'") i++;
        else q = null;
      } else if (c === '\\' && q === '"') i++;
    } else if (c === "'" || c === '"') {
      // quotes only open a scalar at its start
      const prev = s.slice(0, i).trimEnd();
      if (valueStart(prev) || (flow > 0 && (prev.endsWith('[') || prev.endsWith(',')))) q = c;
    } else if (
      c === '[' &&
      (valueStart(s.slice(0, i).trimEnd()) || (flow > 0 && /[[,]\s*$/.test(s.slice(0, i))))
    ) {
      flow++;
    } else if (c === ']' && flow > 0) {
      flow--;
    } else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t'))
      return s.slice(0, i).trimEnd();
  }
  if (q) bail(); // multi-line quoted scalar
  return s.trimEnd();
}

/** Text before a position where a scalar or flow collection may start. */
const valueStart = (prev: string): boolean => prev === '' || prev.endsWith(':') || prev.endsWith('-');

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function plain(s: string): unknown {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (INT.test(s)) {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) bail();
    return n;
  }
  if (FLOAT.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s)) bail();
  const c = s[0]!;
  if (
    '&*!|>%@`{?'.includes(c) ||
    s === '-' ||
    (c === '-' && s[1] === ' ') ||
    s.includes(': ') ||
    s.endsWith(':') ||
    s.includes(' #')
  )
    bail();
  return s;
}

function scalar(s: string): unknown {
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) bail();
    const body = s.slice(1, -1);
    if (/'(?!')/.test(body.replace(/''/g, ''))) bail();
    return body.replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) bail();
    const body = s.slice(1, -1);
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '"') bail();
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = body[++i];
      if (n === '\\' || n === '"' || n === '/') out += n;
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else if (n === 'r') out += '\r';
      else if (n === '0') out += '\0';
      else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
      } else bail();
    }
    return out;
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) bail();
    const inner = s.slice(1, -1).trim();
    if (inner === '') return [];
    if (/[[\]{}"']/.test(inner)) bail();
    return inner.split(',').map((x) => plain(x.trim()));
  }
  return plain(s);
}

class Reader {
  i = 0;
  constructor(private readonly lines: Line[]) {}

  /** Blank and comment lines are kept for block scalars only; everything else skips them. */
  private skip(): void {
    while (this.i < this.lines.length && this.lines[this.i]!.text === '') this.i++;
  }

  value(minIndent: number): unknown {
    this.skip();
    const l = this.lines[this.i];
    if (!l || l.indent < minIndent) return null;
    if (l.text === '-' || l.text.startsWith('- ')) return this.seq(l.indent);
    return this.map(l.indent);
  }

  seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      this.skip();
      const l = this.lines[this.i];
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) bail();
      if (!(l.text === '-' || l.text.startsWith('- '))) return out;
      const rest = l.text.slice(1).trimStart();
      this.i++;
      if (rest === '') out.push(this.value(indent + 1));
      else if (keyOf(rest) !== undefined) {
        // "- key: value" opens a map whose further keys are indented to the item content
        const col = indent + (l.text.length - rest.length);
        this.lines[--this.i] = { indent: col, text: rest, raw: l.raw };
        out.push(this.map(col));
      } else out.push(this.item(rest, indent));
    }
  }

  item(rest: string, indent: number): unknown {
    if (rest === '|' || rest === '|-' || rest === '>' || rest === '>-') return this.block(rest, indent);
    if (rest.startsWith('|') || rest.startsWith('>')) bail();
    this.skip();
    const next = this.lines[this.i];
    if (next && next.indent > indent) bail(); // multi-line plain scalar
    return scalar(rest);
  }

  map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      const l = this.lines[this.i];
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) bail();
      const kv = keyOf(l.text);
      if (kv === undefined) {
        if (l.text === '-' || l.text.startsWith('- ')) return out;
        bail();
      }
      const [key, rest] = kv!;
      if (Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') bail();
      this.i++;
      let v: unknown;
      if (rest === '') {
        this.skip();
        const next = this.lines[this.i];
        if (
          next &&
          (next.indent > indent ||
            (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))
        ) {
          v = next.indent === indent ? this.seq(indent) : this.value(indent + 1);
        } else v = null;
      } else v = this.item(rest, indent);
      out[key] = v;
    }
  }

  block(indicator: string, indent: number): string {
    const body: string[] = [];
    let blockIndent = -1;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.raw.trim() === '') {
        body.push('');
        this.i++;
        continue;
      }
      const ind = l.raw.length - l.raw.trimStart().length;
      if (ind <= indent) break;
      if (blockIndent === -1) blockIndent = ind;
      if (ind < blockIndent) bail();
      body.push(l.raw.slice(blockIndent));
      this.i++;
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    if (body.length === 0) return '';
    const keep = !indicator.endsWith('-');
    if (indicator.startsWith('|')) return body.join('\n') + (keep ? '\n' : '');
    // folded: lines joined by spaces, blank lines become newlines; more-indented lines are kept
    if (body.some((b) => b.startsWith(' ') || b.startsWith('\t'))) bail();
    let out = '';
    for (let k = 0; k < body.length; k++) {
      const b = body[k]!;
      if (b === '') out += '\n';
      else out += (k > 0 && body[k - 1] !== '' ? ' ' : '') + b;
    }
    return out + (keep ? '\n' : '');
  }
}

function keyOf(text: string): [string, string] | undefined {
  const c = text[0];
  if (c === '"' || c === "'") {
    // a quoted scalar; followed by ':' it would be a quoted key, which the subset leaves out
    let j = 1;
    while (j < text.length) {
      if (text[j] === c) {
        if (c === "'" && text[j + 1] === "'") j += 2;
        else break;
      } else j += c === '"' && text[j] === '\\' ? 2 : 1;
    }
    if (
      text
        .slice(j + 1)
        .trimStart()
        .startsWith(':')
    )
      bail();
    return undefined;
  }
  if (c === '?' || c === '[' || c === '{' || c === '&' || c === '*' || c === '!') return undefined;
  const m = /^([^\s#][^:]*?):(?: (.*))?$/.exec(text);
  if (!m) return undefined;
  const key = m[1]!.trimEnd();
  if (key.startsWith('- ')) return undefined;
  if (plain(key) !== key) bail(); // keys such as ~, true or 1 are not strings in YAML
  return [key, (m[2] ?? '').trim()];
}

/** Parses all documents of a text, or returns undefined when it leaves the supported subset. */
export function fastParseAll(text: string): { value: unknown; line: number }[] | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const docs: { value: unknown; line: number }[] = [];
    let lines: Line[] = [];
    let lineNo = 0;
    let start = 0;
    const flush = (): void => {
      if (lines.length === 0) return;
      const r = new Reader(lines);
      const v = r.value(0);
      while (r.i < lines.length && lines[r.i]!.text === '') r.i++;
      if (r.i !== lines.length) bail();
      docs.push({ value: v, line: start });
      lines = [];
      start = 0;
    };
    let sawContent = false;
    for (const raw of text.split('\n')) {
      lineNo++;
      if (raw === '---' || raw.startsWith('--- ')) {
        if (raw !== '---') bail();
        flush();
        sawContent = true;
        continue;
      }
      if (raw === '...' || raw.startsWith('%')) bail();
      const trimmed = raw.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) {
        lines.push({ indent: raw.length - trimmed.length, text: '', raw });
        continue;
      }
      lines.push({ indent: raw.length - trimmed.length, text: stripComment(trimmed), raw });
      if (start === 0) start = lineNo;
      sawContent = true;
    }
    flush();
    return sawContent || docs.length ? docs : [];
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
