/**
 * Case templates: the playbook of tasks a kind of incident needs. Shipped ones are YAML files in
 * templates/cases; a tenant's manager can add or override templates through the API (stored with
 * the cases). Both pass the same zod schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../alerts/ports.js';
import { fail, ok, type Parsed } from '../schema/result.js';
import { PAP_LEVELS, TLP_LEVELS, type CaseTemplate } from './ports.js';

export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/cases', import.meta.url));

export const customValueSchema = z.union([z.string().max(4096), z.number().finite(), z.boolean()]);
export const customFieldsSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'field names: a letter, then letters, digits, _ . -'),
    customValueSchema,
  )
  .refine((r) => Object.keys(r).length <= 100, 'at most 100 custom fields');

export const templateSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -'),
    name: z.string().min(1).max(200),
    description: z.string().max(20_000).default(''),
    severity: z.enum(SEVERITIES).nullable().default(null),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    tlp: z.enum(TLP_LEVELS).nullable().default(null),
    pap: z.enum(PAP_LEVELS).nullable().default(null),
    customFields: customFieldsSchema.default({}),
    tasks: z
      .array(
        z
          .object({
            title: z.string().min(1).max(300),
            description: z.string().max(20_000).default(''),
            group: z.string().min(1).max(100).nullable().default(null),
            dueInHours: z
              .number()
              .positive()
              .max(24 * 365)
              .nullable()
              .default(null),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();

/** Validates one template document (YAML text or an already-parsed object). */
export function parseTemplate(input: unknown): Parsed<CaseTemplate> {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = parseYaml(input, { maxAliasCount: 50 });
    } catch (e) {
      return fail(`not YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const r = templateSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return fail(`${i.path.join('.') || '(document)'}: ${i.message}`);
  }
  return ok(r.data);
}

/** Loads every *.yml/*.yaml of a directory; a broken file is reported, not fatal. */
export function loadTemplateDir(dir: string): {
  templates: CaseTemplate[];
  rejected: Array<{ file: string; reason: string }>;
} {
  const templates: CaseTemplate[] = [];
  const rejected: Array<{ file: string; reason: string }> = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
  } catch {
    return { templates, rejected: [{ file: dir, reason: 'directory not readable' }] };
  }
  const seen = new Set<string>();
  for (const f of files) {
    const file = path.join(dir, f);
    const r = parseTemplate(readFileSync(file, 'utf8'));
    if (!r.ok) rejected.push({ file, reason: r.reason });
    else if (seen.has(r.value.id)) rejected.push({ file, reason: `duplicate template id ${r.value.id}` });
    else {
      seen.add(r.value.id);
      templates.push(r.value);
    }
  }
  return { templates, rejected };
}
