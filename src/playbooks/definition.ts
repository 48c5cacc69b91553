/**
 * Playbook definitions: YAML validated with zod, errors naming the line. Expressions inside are
 * parsed at load time, so a typo is a validation error, not a failed run at 3 a.m.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ExprError } from './expr/ast.js';
import { parseExpression } from './expr/parser.js';

const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -, starting with a letter');
const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 2h');

export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

const onError = z.union([z.enum(['stop', 'continue']), z.object({ goto: stepId }).strict()]).default('stop');
const expressionText = z.string().min(1).max(10_000);

const base = {
  id: stepId,
  name: z.string().max(200).optional(),
  /** An expression; the step runs only when it is truthy. `${{ }}` around it is optional. */
  if: expressionText.optional(),
  timeout: duration.optional(),
  retry: z
    .object({ attempts: z.number().int().min(1).max(10), backoff: duration.default('1s') })
    .strict()
    .optional(),
  on_error: onError,
};

export type StepDef =
  | {
      kind: 'action';
      id: string;
      name?: string;
      if?: string;
      timeout?: string;
      retry?: { attempts: number; backoff: string };
      on_error: OnError;
      action: string;
      with: Record<string, unknown>;
      idempotency_key?: string;
    }
  | {
      kind: 'approval';
      id: string;
      name?: string;
      if?: string;
      timeout?: string;
      retry?: undefined;
      on_error: OnError;
      approval: { role: string; message: string; timeout: string; default: 'approve' | 'reject' };
    }
  | {
      kind: 'for_each';
      id: string;
      name?: string;
      if?: string;
      timeout?: string;
      retry?: undefined;
      on_error: OnError;
      for_each: string;
      as: string;
      concurrency: number;
      steps: StepDef[];
    }
  | {
      kind: 'parallel';
      id: string;
      name?: string;
      if?: string;
      timeout?: string;
      retry?: undefined;
      on_error: OnError;
      parallel: StepDef[][];
    }
  | {
      kind: 'playbook';
      id: string;
      name?: string;
      if?: string;
      timeout?: string;
      retry?: undefined;
      on_error: OnError;
      playbook: string;
      with: Record<string, unknown>;
    };
export type OnError = 'stop' | 'continue' | { goto: string };

const stepSchema: z.ZodType<StepDef> = z.lazy(() =>
  z.union([
    z
      .object({
        ...base,
        action: z.string().regex(/^[a-z][a-z0-9_.-]*$/),
        with: z.record(z.string(), z.unknown()).default({}),
        idempotency_key: z.string().max(500).optional(),
      })
      .strict()
      .transform((s) => ({ kind: 'action' as const, ...s })),
    z
      .object({
        ...base,
        approval: z
          .object({
            role: z.enum(['admin', 'manager', 'analyst', 'investigator', 'responder']),
            message: z.string().min(1).max(2000),
            timeout: duration.default('1h'),
            default: z.enum(['approve', 'reject']).default('reject'),
          })
          .strict(),
      })
      .strict()
      .transform((s) => ({ kind: 'approval' as const, ...s, retry: undefined })),
    z
      .object({
        ...base,
        for_each: expressionText,
        as: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/)
          .default('item'),
        concurrency: z.number().int().min(1).max(32).default(1),
        steps: z.array(stepSchema).min(1),
      })
      .strict()
      .transform((s) => ({ kind: 'for_each' as const, ...s, retry: undefined })),
    z
      .object({ ...base, parallel: z.array(z.array(stepSchema).min(1)).min(2).max(16) })
      .strict()
      .transform((s) => ({ kind: 'parallel' as const, ...s, retry: undefined })),
    z
      .object({ ...base, playbook: stepId, with: z.record(z.string(), z.unknown()).default({}) })
      .strict()
      .transform((s) => ({ kind: 'playbook' as const, ...s, retry: undefined })),
  ]),
);

const severity = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
const trigger = z.union([
  z
    .object({
      alert: z
        .object({
          rules: z.array(z.string()).optional(),
          minSeverity: severity.default('informational'),
          tags: z.array(z.string()).optional(),
          event: z.enum(['created', 'updated']).default('created'),
          /** `updated` only: start when one of these alert fields changed (e.g. severity, status, comments). */
          fields: z.array(z.string().min(1).max(64)).min(1).optional(),
        })
        .strict()
        .refine((a) => !a.fields || a.event === 'updated', {
          message: 'fields: only for event: updated',
          path: ['fields'],
        }),
    })
    .strict(),
  z
    .object({
      case: z
        .object({
          event: z.enum(['created', 'status_changed']).default('created'),
          minSeverity: severity.default('informational'),
        })
        .strict(),
    })
    .strict(),
  z.object({ schedule: z.string().min(9).max(100) }).strict(),
  z.object({ webhook: z.object({ secretRef: z.string().min(1) }).strict() }).strict(),
  z.object({ manual: z.literal(true) }).strict(),
]);

export const playbookSchema = z
  .object({
    id: stepId,
    name: z.string().min(1).max(200),
    description: z.string().max(10_000).optional(),
    version: z.number().int().min(1).default(1),
    enabled: z.boolean().default(true),
    triggers: z.array(trigger).min(1),
    inputs: z
      .record(
        z.string(),
        z
          .object({
            type: z.enum(['string', 'number', 'boolean', 'list', 'object']),
            required: z.boolean().default(false),
          })
          .strict(),
      )
      .default({}),
    steps: z.array(stepSchema).min(1),
    outputs: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type Playbook = z.infer<typeof playbookSchema>;

export interface DefinitionError {
  line: number;
  path: string;
  message: string;
}

function lineOf(doc: Document, lc: LineCounter, path: Array<string | number>): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return 1;
}

/** Every expression in a step tree: `if`, `for_each`, and `${{ }}` inside `with` and messages. */
function* expressions(
  steps: StepDef[],
  path: Array<string | number>,
): Generator<[string, Array<string | number>]> {
  for (const [i, s] of steps.entries()) {
    const p = [...path, i];
    if (s.if) yield [unwrap(s.if), [...p, 'if']];
    if (s.kind === 'for_each') {
      yield [unwrap(s.for_each), [...p, 'for_each']];
      yield* expressions(s.steps, [...p, 'steps']);
    }
    if (s.kind === 'parallel')
      for (const [j, b] of s.parallel.entries()) yield* expressions(b, [...p, 'parallel', j]);
    if (s.kind === 'action' || s.kind === 'playbook') yield* templates(s.with, [...p, 'with']);
    if (s.kind === 'action' && s.idempotency_key)
      yield* templates(s.idempotency_key, [...p, 'idempotency_key']);
    if (s.kind === 'approval') yield* templates(s.approval.message, [...p, 'approval', 'message']);
  }
}

function* templates(v: unknown, path: Array<string | number>): Generator<[string, Array<string | number>]> {
  if (typeof v === 'string') for (const m of v.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) yield [m[1]!, path];
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* templates(x, [...path, i]);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) yield* templates(x, [...path, k]);
}

export const unwrap = (s: string): string => s.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');

function collectIds(steps: StepDef[], into: Map<string, number>): void {
  for (const s of steps) {
    into.set(s.id, (into.get(s.id) ?? 0) + 1);
    if (s.kind === 'for_each') collectIds(s.steps, into);
    if (s.kind === 'parallel') for (const b of s.parallel) collectIds(b, into);
  }
}

export type ParsedPlaybook = { ok: true; playbook: Playbook } | { ok: false; errors: DefinitionError[] };

export function parsePlaybook(text: string): ParsedPlaybook {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? 1,
        path: '',
        message: e.message.split('\n')[0]!,
      })),
    };
  }
  const parsed = playbookSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
        return { line: lineOf(doc, lc, path), path: path.join('.'), message: i.message };
      }),
    };
  }
  const pb = parsed.data;
  const errors: DefinitionError[] = [];
  for (const [src, path] of expressions(pb.steps, ['steps'])) {
    try {
      parseExpression(src);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      errors.push({ line: lineOf(doc, lc, path), path: path.join('.'), message: `expression: ${e.message}` });
    }
  }
  const ids = new Map<string, number>();
  collectIds(pb.steps, ids);
  for (const [id, n] of ids)
    if (n > 1) errors.push({ line: 1, path: 'steps', message: `step id ${id} is used ${n} times` });
  const check = (steps: StepDef[], path: Array<string | number>): void => {
    for (const [i, s] of steps.entries()) {
      if (typeof s.on_error === 'object' && !ids.has(s.on_error.goto))
        errors.push({
          line: lineOf(doc, lc, [...path, i, 'on_error']),
          path: [...path, i, 'on_error'].join('.'),
          message: `goto: no step ${s.on_error.goto}`,
        });
      if (s.kind === 'for_each') check(s.steps, [...path, i, 'steps']);
    }
  };
  check(pb.steps, ['steps']);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, playbook: pb };
}
