/**
 * What every ingest processor factory uses: option schemas, option parsing with Elasticsearch's
 * error shape, reading the input field, and the string-or-list-of-strings processors.
 */
import { z } from 'zod';
import { ProcessorError, type IngestDoc } from './document.js';
import type { ProcessorFactory } from './processors.js';

export const field = z.string().min(1);
export const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export function parse<T extends z.ZodType>(schema: T, config: unknown, type: string): z.infer<T> {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`[${type}] [${issue.path.join('.') || 'config'}] ${issue.message}`);
}

/** The value at `path`, or `skip` when it is missing/null and ignore_missing allows that. */
export function input(
  doc: IngestDoc,
  path: string,
  ignoreMissing: boolean,
  what: string,
): { skip: true } | { skip: false; value: unknown } {
  const r = doc.lookup(path);
  if (!r.found || r.value === null || r.value === undefined) {
    if (ignoreMissing) return { skip: true };
    if (!r.found) throw new ProcessorError(`field [${path}] not present as part of path [${path}]`);
    throw new ProcessorError(`field [${path}] is null, cannot ${what}.`);
  }
  return { skip: false, value: r.value };
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string')
    throw new ProcessorError(
      `field [${path}] of type [${Array.isArray(v) ? 'java.util.ArrayList' : typeof v}] cannot be cast to [java.lang.String]`,
    );
  return v;
}

/** Elasticsearch's AbstractStringProcessor (lowercase, trim, bytes...): a string, or each string of a list. */
export function stringOp(type: string, op: (s: string) => unknown): ProcessorFactory {
  const schema = z.looseObject({
    field,
    target_field: field.optional(),
    ignore_missing: bool.default(false),
  });
  return (config) => {
    const c = parse(schema, config, type);
    return (doc) => {
      const v = input(doc, c.field, c.ignore_missing, type);
      if (v.skip) return;
      const out = Array.isArray(v.value)
        ? v.value.map((x) => op(asString(x, c.field)))
        : op(asString(v.value, c.field));
      doc.set(c.target_field ?? c.field, out);
    };
  };
}

/** The input's value, or undefined when it may be skipped (missing or null with ignore_missing). */
export function inputValue(doc: IngestDoc, path: string, ignoreMissing: boolean, what: string): unknown {
  const r = input(doc, path, ignoreMissing, what);
  return r.skip ? undefined : r.value;
}
