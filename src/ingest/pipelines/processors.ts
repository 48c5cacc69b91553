import { isIP } from 'node:net';
import RE2 from 're2';
import { z } from 'zod';
import { compileDateFormat } from './date.js';
import { compileDissect, dissect } from './dissect.js';
import { cloneJson, IngestDoc, isObj, ProcessorError } from './document.js';
import { compileGrok, grokMatch } from './grok.js';
import { EXTRA_PROCESSORS } from './processors-extra.js';
import { ENRICH_PROCESSORS } from './processors-enrich.js';
import { asString, bool, field, input, parse, stringOp } from './processor-kit.js';
import { renderTemplate, renderValue } from './template.js';

/** What a running processor may ask of its pipeline (nested `pipeline` processors). */
export interface RunContext {
  runPipeline(name: string, doc: IngestDoc, ignoreMissing: boolean): void;
}

export type ProcessorRun = (doc: IngestDoc, rt: RunContext) => void;

/** A compiled processor body; compiling a nested list (foreach) goes back through the pipeline compiler. */
export type ProcessorFactory = (
  config: unknown,
  compileList: (list: unknown) => ProcessorRun,
) => ProcessorRun;

function convertOne(v: unknown, type: string, path: string): unknown {
  const s = typeof v === 'string' ? v.trim() : v;
  const fail = (): never => {
    throw new ProcessorError(`unable to convert [${String(v)}] to ${type}`);
  };
  switch (type) {
    case 'integer':
    case 'long': {
      if (typeof s === 'number') return Number.isInteger(s) ? s : fail();
      if (typeof s !== 'string') return fail();
      const m = /^([+-]?)(?:0x([0-9a-f]+)|(\d+))$/i.exec(s);
      if (!m) return fail();
      const n = m[2] !== undefined ? Number.parseInt(m[2], 16) : Number(m[3]);
      return m[1] === '-' ? -n : n;
    }
    case 'float':
    case 'double': {
      if (typeof s === 'number') return s;
      if (typeof s !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return fail();
      return Number(s);
    }
    case 'boolean':
      if (typeof s === 'boolean') return s;
      if (typeof s === 'string' && /^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
      return fail();
    case 'string':
      return typeof v === 'string' ? v : isObj(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
    case 'ip':
      if (typeof s === 'string' && isIP(s) !== 0) return s;
      throw new ProcessorError(`'${String(v)}' is not an IP string literal.`);
    case 'auto': {
      if (typeof s !== 'string') return v;
      for (const t of ['integer', 'double', 'boolean']) {
        try {
          return convertOne(s, t, path);
        } catch {
          // next candidate
        }
      }
      return v;
    }
    default:
      throw new ProcessorError(`type [${type}] not supported, cannot convert field.`);
  }
}

function regex(pattern: string, type: string, what: string): RE2 {
  try {
    return new RE2(pattern, 'gu');
  } catch (e) {
    throw new Error(`[${type}] invalid ${what} [${pattern}]: ${(e as Error).message}`);
  }
}

function split(s: string, re: RE2, preserveTrailing = false): string[] {
  const parts = s.split(re as unknown as RegExp);
  if (!preserveTrailing) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const BRACKETS: Array<[string, string]> = [
  ['(', ')'],
  ['<', '>'],
  ['[', ']'],
  ['"', '"'],
  ["'", "'"],
];

function trimChars(s: string, chars: string | undefined): string {
  if (!chars) return s;
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a]!)) a++;
  while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

function setOrAppend(doc: IngestDoc, path: string, value: unknown): void {
  if (doc.has(path)) doc.append(path, [value]);
  else doc.set(path, value);
}

export const PROCESSORS: Record<string, ProcessorFactory> = {
  set: (config) => {
    const c = parse(
      z
        .looseObject({
          field,
          value: z.unknown().optional(),
          copy_from: field.optional(),
          override: bool.default(true),
          ignore_empty_value: bool.default(false),
        })
        .refine(
          (x) => (x.value === undefined) !== (x.copy_from === undefined),
          'exactly one of [value] or [copy_from] is required',
        ),
      config,
      'set',
    );
    return (doc) => {
      const target = renderTemplate(c.field, doc);
      if (!c.override && doc.has(target) && doc.lookup(target).value !== null) return;
      const value = c.copy_from !== undefined ? cloneJson(doc.get(c.copy_from)) : renderValue(c.value, doc);
      if (c.ignore_empty_value && (value === null || value === '')) return;
      doc.set(target, value);
    };
  },
  remove: (config) => {
    const c = parse(
      z.looseObject({
        field: z.union([field, z.array(field)]).optional(),
        keep: z.union([field, z.array(field)]).optional(),
        ignore_missing: bool.default(false),
      }),
      config,
      'remove',
    );
    const fields = c.field === undefined ? [] : Array.isArray(c.field) ? c.field : [c.field];
    const keep = c.keep === undefined ? undefined : Array.isArray(c.keep) ? c.keep : [c.keep];
    if ((keep === undefined) === (fields.length === 0))
      throw new Error('[remove] exactly one of [field] or [keep] is required');
    return (doc) => {
      if (keep) {
        const kept = new IngestDoc({}, {}, new Date());
        for (const k of keep) if (doc.has(k)) kept.set(k, doc.get(k));
        doc.source = kept.source;
        return;
      }
      for (const f of fields) {
        const path = renderTemplate(f, doc);
        if (!doc.has(path)) {
          if (c.ignore_missing) continue;
          throw new ProcessorError(`field [${path}] not present as part of path [${path}]`);
        }
        doc.remove(path);
      }
    };
  },
  rename: (config) => {
    const c = parse(
      z.looseObject({
        field,
        target_field: field,
        ignore_missing: bool.default(false),
        override: bool.default(false),
      }),
      config,
      'rename',
    );
    return (doc) => {
      const from = renderTemplate(c.field, doc);
      const to = renderTemplate(c.target_field, doc);
      if (!doc.has(from)) {
        if (c.ignore_missing) return;
        throw new ProcessorError(`field [${from}] doesn't exist`);
      }
      if (doc.has(to) && !c.override) throw new ProcessorError(`field [${to}] already exists`);
      const v = doc.get(from);
      doc.remove(from);
      doc.set(to, v);
    };
  },
  append: (config) => {
    const c = parse(
      z.looseObject({ field, value: z.unknown(), allow_duplicates: bool.default(true) }),
      config,
      'append',
    );
    return (doc) => {
      const v = renderValue(c.value, doc);
      doc.append(renderTemplate(c.field, doc), Array.isArray(v) ? v : [v], c.allow_duplicates);
    };
  },
  lowercase: stringOp('lowercase', (s) => s.toLowerCase()),
  uppercase: stringOp('uppercase', (s) => s.toUpperCase()),
  trim: stringOp('trim', (s) => s.trim()),
  urldecode: stringOp('urldecode', (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new ProcessorError(`cannot url-decode [${s}]`);
    }
  }),
  convert: (config) => {
    const c = parse(
      z.looseObject({
        field,
        type: z.enum(['integer', 'long', 'float', 'double', 'boolean', 'string', 'ip', 'auto']),
        target_field: field.optional(),
        ignore_missing: bool.default(false),
      }),
      config,
      'convert',
    );
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'convert');
      if (v.skip) return;
      const out = Array.isArray(v.value)
        ? v.value.map((x) => convertOne(x, c.type, c.field))
        : convertOne(v.value, c.type, c.field);
      doc.set(c.target_field ?? c.field, out);
    };
  },
  date: (config) => {
    const c = parse(
      z.looseObject({
        field,
        target_field: field.default('@timestamp'),
        formats: z.array(z.string().min(1)).min(1),
        timezone: z.string().optional(),
        locale: z.string().optional(),
        output_format: z.string().optional(),
      }),
      config,
      'date',
    );
    const parsers = c.formats.map((f) => {
      try {
        return compileDateFormat(f);
      } catch (e) {
        throw new Error(`[date] invalid format [${f}]: ${(e as Error).message}`);
      }
    });
    return (doc) => {
      const raw = doc.get(c.field);
      const text = typeof raw === 'number' ? String(raw) : asString(raw, c.field);
      const tz = c.timezone ? renderTemplate(c.timezone, doc) || 'UTC' : 'UTC';
      const now = new Date(String(doc.ingest.timestamp));
      for (const p of parsers) {
        const ms = p(text, tz, now);
        if (ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) {
          doc.set(c.target_field, new Date(ms).toISOString());
          return;
        }
      }
      throw new ProcessorError(`unable to parse date [${text}]`);
    };
  },
  split: (config) => {
    const c = parse(
      z.looseObject({
        field,
        separator: z.string().min(1),
        target_field: field.optional(),
        ignore_missing: bool.default(false),
        preserve_trailing: bool.default(false),
      }),
      config,
      'split',
    );
    const re = regex(c.separator, 'split', 'separator');
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'split');
      if (v.skip) return;
      doc.set(c.target_field ?? c.field, split(asString(v.value, c.field), re, c.preserve_trailing));
    };
  },
  join: (config) => {
    const c = parse(
      z.looseObject({ field, separator: z.string(), target_field: field.optional() }),
      config,
      'join',
    );
    return (doc) => {
      const v = doc.get(c.field);
      if (!Array.isArray(v))
        throw new ProcessorError(
          `field [${c.field}] of type [${typeof v}] cannot be cast to [java.util.List]`,
        );
      doc.set(
        c.target_field ?? c.field,
        v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(c.separator),
      );
    };
  },
  json: (config) => {
    const c = parse(
      z.looseObject({
        field,
        target_field: field.optional(),
        add_to_root: bool.default(false),
        add_to_root_conflict_strategy: z.enum(['replace', 'merge']).default('replace'),
        allow_duplicate_keys: bool.default(false),
        strict_json_parsing: bool.default(true),
      }),
      config,
      'json',
    );
    if (c.add_to_root && c.target_field)
      throw new Error('[json] cannot add to root and set [target_field] at the same time');
    return (doc) => {
      const text = asString(doc.get(c.field), c.field);
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        throw new ProcessorError(`field [${c.field}] is not valid JSON: ${(e as Error).message}`);
      }
      if (!c.add_to_root) {
        doc.set(c.target_field ?? c.field, v);
        return;
      }
      if (!isObj(v)) throw new ProcessorError(`cannot add non-map fields to root of document`);
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__') continue;
        const cur = doc.source[k];
        doc.source[k] =
          c.add_to_root_conflict_strategy === 'merge' && isObj(cur) && isObj(x) ? deepMerge(cur, x) : x;
      }
    };
  },
  kv: (config) => {
    const c = parse(
      z.looseObject({
        field,
        field_split: z.string().min(1),
        value_split: z.string().min(1),
        target_field: field.optional(),
        include_keys: z.array(z.string()).optional(),
        exclude_keys: z.array(z.string()).optional(),
        ignore_missing: bool.default(false),
        prefix: z.string().default(''),
        trim_key: z.string().optional(),
        trim_value: z.string().optional(),
        strip_brackets: bool.default(false),
      }),
      config,
      'kv',
    );
    const fieldRe = regex(c.field_split, 'kv', 'field_split');
    const valueRe = new RE2(c.value_split, 'u');
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'extract key-value pairs');
      if (v.skip) return;
      for (const part of split(asString(v.value, c.field), fieldRe)) {
        const m = valueRe.exec(part);
        if (!m)
          throw new ProcessorError(`field [${c.field}] does not contain value_split [${c.value_split}]`);
        let key = trimChars(part.slice(0, m.index), c.trim_key);
        let value = trimChars(part.slice(m.index + m[0].length), c.trim_value);
        if (c.include_keys && !c.include_keys.includes(key)) continue;
        if (c.exclude_keys?.includes(key)) continue;
        if (c.strip_brackets) {
          for (const [o, cl] of BRACKETS) {
            if (value.length >= 2 && value.startsWith(o) && value.endsWith(cl)) {
              value = value.slice(1, -1);
              break;
            }
          }
        }
        key = c.prefix + key;
        if (key === '') continue;
        setOrAppend(doc, c.target_field ? `${c.target_field}.${key}` : key, value);
      }
    };
  },
  dissect: (config) => {
    const c = parse(
      z.looseObject({
        field,
        pattern: z.string().min(1),
        append_separator: z.string().default(''),
        ignore_missing: bool.default(false),
      }),
      config,
      'dissect',
    );
    let compiled;
    try {
      compiled = compileDissect(c.pattern);
    } catch (e) {
      throw new Error(`[dissect] ${(e as Error).message}`);
    }
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'dissect');
      if (v.skip) return;
      const out = dissect(compiled, asString(v.value, c.field), c.append_separator);
      if (!out)
        throw new ProcessorError(
          `Unable to find match for dissect pattern: ${c.pattern} against source: ${String(v.value)}`,
        );
      for (const [k, x] of out) doc.set(k, x);
    };
  },
  grok: (config) => {
    const c = parse(
      z.looseObject({
        field,
        patterns: z.array(z.string().min(1)).min(1),
        pattern_definitions: z.record(z.string(), z.string()).default({}),
        ignore_missing: bool.default(false),
        trace_match: bool.default(false),
        ecs_compatibility: z.string().optional(),
      }),
      config,
      'grok',
    );
    const groks = c.patterns.map((p) => {
      try {
        return compileGrok(p, c.pattern_definitions);
      } catch (e) {
        throw new Error(`[grok] ${(e as Error).message}`);
      }
    });
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'match pattern');
      if (v.skip) return;
      const text = asString(v.value, c.field);
      const m = grokMatch(groks, text);
      if (!m)
        throw new ProcessorError(
          `Provided Grok expressions do not match field value: [${text.length > 200 ? `${text.slice(0, 200)}…` : text}]`,
        );
      for (const [k, x] of m.fields) doc.set(k, x);
      if (c.trace_match) doc.ingest._grok_match_index = String(m.index);
    };
  },
  gsub: (config) => {
    const c = parse(
      z.looseObject({
        field,
        pattern: z.string().min(1),
        replacement: z.string(),
        target_field: field.optional(),
        ignore_missing: bool.default(false),
      }),
      config,
      'gsub',
    );
    const re = regex(c.pattern, 'gsub', 'pattern');
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, 'gsub');
      if (v.skip) return;
      const sub = (s: unknown) => asString(s, c.field).replace(re as unknown as RegExp, c.replacement);
      doc.set(c.target_field ?? c.field, Array.isArray(v.value) ? v.value.map(sub) : sub(v.value));
    };
  },
  drop: () => (doc) => {
    doc.dropped = true;
  },
  terminate: () => (doc) => {
    doc.terminated = true;
  },
  fail: (config) => {
    const c = parse(z.looseObject({ message: z.string().min(1) }), config, 'fail');
    return (doc) => {
      throw new ProcessorError(renderTemplate(c.message, doc), 'fail_processor_exception', 500);
    };
  },
  pipeline: (config) => {
    const c = parse(
      z.looseObject({ name: z.string().min(1), ignore_missing_pipeline: bool.default(false) }),
      config,
      'pipeline',
    );
    return (doc, rt) => rt.runPipeline(renderTemplate(c.name, doc), doc, c.ignore_missing_pipeline);
  },
  dot_expander: (config) => {
    const c = parse(
      z.looseObject({ field, path: z.string().optional(), override: bool.default(false) }),
      config,
      'dot_expander',
    );
    return (doc) => {
      const parent = c.path ? doc.lookup(c.path).value : doc.source;
      if (!isObj(parent)) return;
      const keys = c.field === '*' ? Object.keys(parent).filter((k) => k.includes('.')) : [c.field];
      for (const k of keys) {
        if (!Object.prototype.hasOwnProperty.call(parent, k)) continue;
        const v = parent[k];
        delete parent[k];
        const scratch = new IngestDoc(parent, {}, new Date());
        if (scratch.has(k) && !c.override) scratch.append(k, Array.isArray(v) ? v : [v]);
        else scratch.set(k, v);
      }
    };
  },
  foreach: (config, compileList) => {
    const c = parse(
      z.looseObject({
        field,
        processor: z.record(z.string(), z.unknown()),
        ignore_missing: bool.default(false),
      }),
      config,
      'foreach',
    );
    const inner = compileList([c.processor]);
    return (doc, rt) => {
      const v = input(doc, c.field, c.ignore_missing, 'iterate');
      if (v.skip) return;
      const each = (x: unknown, key?: string): unknown => {
        const prev = doc.ingest._value;
        doc.ingest._value = x;
        if (key !== undefined) doc.ingest._key = key;
        try {
          inner(doc, rt);
          return doc.ingest._value;
        } finally {
          doc.ingest._value = prev;
          delete doc.ingest._key;
        }
      };
      if (Array.isArray(v.value))
        doc.set(
          c.field,
          v.value.map((x) => each(x)),
        );
      else if (isObj(v.value))
        doc.set(c.field, Object.fromEntries(Object.entries(v.value).map(([k, x]) => [k, each(x, k)])));
      else
        throw new ProcessorError(
          `field [${c.field}] of type [${typeof v.value}] cannot be cast to a list or map`,
        );
    };
  },
  // Kept in their own module so this one stays readable.
  ...EXTRA_PROCESSORS,
  ...ENRICH_PROCESSORS,
};

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isObj(cur) && isObj(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

/**
 * Processors that only add derived fields (enrichment against databases Vigil does not ship). A
 * pipeline using them still runs; the processor is skipped and a warning recorded, so the event is
 * kept rather than refused for a missing decoration.
 */
export const SKIPPED_ENRICHMENT = new Set([
  'geoip',
  'ip_location',
  'set_security_user',
  'enrich',
  'inference',
  'attachment',
]);
