import { z } from 'zod';
import { compileCondition } from './condition.js';
import { IngestDoc, isObj, ProcessorError, type Obj } from './document.js';
import { PROCESSORS, SKIPPED_ENRICHMENT, type ProcessorRun, type RunContext } from './processors.js';

/**
 * Elasticsearch ingest pipelines, compiled from their JSON definition and run on documents with
 * Elasticsearch's failure semantics: `if`, `ignore_failure`, processor and pipeline `on_failure`
 * (with `_ingest.on_failure_*`), `drop`, nested `pipeline`. No user code is ever evaluated:
 * `script` and Painless beyond the small condition subset are refused with their reason.
 */
export const pipelineDefinition = z.looseObject({
  description: z.string().optional(),
  processors: z.array(z.record(z.string(), z.unknown())).default([]),
  on_failure: z.array(z.record(z.string(), z.unknown())).optional(),
  version: z.number().int().optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});

export interface CompiledPipeline {
  id: string;
  run: (doc: IngestDoc, rt: RunContext) => void;
  /** Parts of the definition that will not run as written (unsupported conditions, enrichment processors). */
  warnings: string[];
}

/** A failure that ends the pipeline, with where it happened. */
export class PipelineFailure extends Error {
  constructor(
    override readonly cause: ProcessorError,
    readonly pipeline: string,
    readonly processorType: string,
    readonly processorTag: string | undefined,
  ) {
    super(
      `pipeline [${pipeline}] processor [${processorType}${processorTag ? `:${processorTag}` : ''}]: ${cause.message}`,
    );
  }
}

const common = z.looseObject({
  tag: z.string().optional(),
  if: z.string().optional(),
  ignore_failure: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(false),
  on_failure: z.array(z.record(z.string(), z.unknown())).optional(),
});

const asProcessorError = (e: unknown): ProcessorError =>
  e instanceof ProcessorError
    ? e
    : e instanceof PipelineFailure
      ? e.cause
      : new ProcessorError(e instanceof Error ? e.message : String(e), 'exception', 500);

class Compiler {
  readonly warnings: string[] = [];
  constructor(private readonly pipelineId: string) {}

  list(list: unknown, where: string): ProcessorRun {
    if (!Array.isArray(list)) throw new Error(`[${where}] must be a list of processors`);
    const runs = list.map((p, i) => this.processor(p, `${where}[${i}]`));
    return (doc, rt) => {
      for (const r of runs) {
        if (doc.dropped || doc.terminated || doc.rerouted) return;
        r(doc, rt);
      }
    };
  }

  private processor(entry: unknown, where: string): ProcessorRun {
    if (!isObj(entry) || Object.keys(entry).length !== 1)
      throw new Error(`[${where}] a processor is an object with exactly one key, its type`);
    const type = Object.keys(entry)[0]!;
    const config = entry[type] ?? {};
    const opts = common.safeParse(config);
    if (!opts.success) throw new Error(`[${where}] [${type}] ${opts.error.issues[0]!.message}`);
    const tag = opts.data.tag;
    const pipelineId = this.pipelineId;
    let body: ProcessorRun;
    if (type === 'script') {
      body = () => {
        throw new ProcessorError('script processors are not supported by Vigil (Painless is not executed)');
      };
    } else if (SKIPPED_ENRICHMENT.has(type)) {
      this.warnings.push(
        `${where}: processor [${type}] is not supported by Vigil and is skipped (enrichment only)`,
      );
      return () => undefined;
    } else {
      const factory = PROCESSORS[type];
      if (!factory) {
        body = () => {
          throw new ProcessorError(`processor [${type}] is not supported by Vigil`);
        };
      } else {
        body = factory(config, (inner) => this.list(inner, `${where}.${type}`));
      }
    }
    let test: ((d: IngestDoc) => boolean) | undefined;
    if (opts.data.if !== undefined) {
      const cond = compileCondition(opts.data.if);
      if (cond.ok) test = cond.test;
      else {
        this.warnings.push(`${where}: processor [${type}] skipped: ${cond.reason}`);
        return () => undefined;
      }
    }
    const onFailure = opts.data.on_failure
      ? this.list(opts.data.on_failure, `${where}.on_failure`)
      : undefined;
    const ignore = opts.data.ignore_failure;
    return (doc, rt) => {
      try {
        if (test && !test(doc)) return;
        body(doc, rt);
      } catch (e) {
        if (ignore) return;
        const err = asProcessorError(e);
        const failure = e instanceof PipelineFailure ? e : new PipelineFailure(err, pipelineId, type, tag);
        if (!onFailure) throw failure;
        withFailureMetadata(doc, failure, () => onFailure(doc, rt));
      }
    };
  }
}

function withFailureMetadata(doc: IngestDoc, f: PipelineFailure, run: () => void): void {
  const saved = [
    'on_failure_message',
    'on_failure_processor_type',
    'on_failure_processor_tag',
    'on_failure_pipeline',
  ].map((k) => [k, doc.ingest[k]] as const);
  doc.ingest.on_failure_message = f.cause.message;
  doc.ingest.on_failure_processor_type = f.processorType;
  doc.ingest.on_failure_processor_tag = f.processorTag ?? null;
  doc.ingest.on_failure_pipeline = f.pipeline;
  try {
    run();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete doc.ingest[k];
      else doc.ingest[k] = v;
    }
  }
}

/** Compiles a stored definition. Throws with the reason when the definition is malformed. */
export function compilePipeline(id: string, definition: unknown): CompiledPipeline {
  const def = pipelineDefinition.safeParse(definition);
  if (!def.success)
    throw new Error(
      `pipeline [${id}]: ${def.error.issues[0]!.path.join('.')} ${def.error.issues[0]!.message}`,
    );
  const c = new Compiler(id);
  const body = c.list(def.data.processors, 'processors');
  const onFailure = def.data.on_failure ? c.list(def.data.on_failure, 'on_failure') : undefined;
  return {
    id,
    warnings: c.warnings,
    run: (doc, rt) => {
      // `terminate` ends this pipeline only: a calling pipeline carries on after it.
      const outer = doc.terminated;
      doc.terminated = false;
      try {
        body(doc, rt);
      } catch (e) {
        if (!onFailure) throw e;
        const f =
          e instanceof PipelineFailure
            ? e
            : new PipelineFailure(asProcessorError(e), id, 'unknown', undefined);
        withFailureMetadata(doc, f, () => onFailure(doc, rt));
      } finally {
        doc.terminated = outer;
      }
    },
  };
}

export interface PipelineResult {
  /** The document after the pipelines (the same object, changed in place), or undefined if dropped. */
  source: Obj | undefined;
  meta: Obj;
  error?: { status: number; type: string; reason: string };
}

const MAX_NESTING = 32;

/**
 * Runs `first` (then `final`, as index.final_pipeline does) on one document. `lookup` gives
 * compiled pipelines by id (nested `pipeline` processors use it too). When a pipeline sends the
 * document to another index, `forIndex` names that index's pipelines and they run as Elasticsearch
 * runs them: after a `reroute`, the target's default and final pipelines; after a plain `_index`
 * change, only the target's final pipeline; a final pipeline may not change the index, and an index
 * seen twice is a cycle.
 */
export function executePipelines(
  ids: { first?: string; final?: string },
  source: Obj,
  meta: Obj,
  lookup: (id: string) => CompiledPipeline | Error | undefined,
  now = new Date(),
  forIndex?: (index: string) => { defaultPipeline?: string; finalPipeline?: string },
): PipelineResult {
  const doc = new IngestDoc(source, meta, now);
  const stack: string[] = [];
  const rt: RunContext = {
    runPipeline(name, d, ignoreMissing) {
      const p = lookup(name);
      if (p === undefined) {
        if (ignoreMissing) return;
        throw new ProcessorError(`pipeline with id [${name}] does not exist`);
      }
      if (p instanceof Error) throw new ProcessorError(p.message);
      if (stack.includes(name)) throw new ProcessorError(`Cycle detected for pipeline: ${name}`);
      if (stack.length >= MAX_NESTING) throw new ProcessorError(`pipelines nest deeper than ${MAX_NESTING}`);
      stack.push(name);
      try {
        p.run(d, rt);
      } finally {
        stack.pop();
      }
    },
  };
  const indexOf = () => (typeof doc.meta._index === 'string' ? doc.meta._index : '');
  const history = [indexOf()];
  let queue: { id: string; final: boolean }[] = [];
  if (ids.first !== undefined) queue.push({ id: ids.first, final: false });
  if (ids.final !== undefined) queue.push({ id: ids.final, final: true });
  try {
    while (queue.length > 0 && !doc.dropped) {
      const { id, final } = queue.shift()!;
      const before = indexOf();
      rt.runPipeline(id, doc, false);
      const rerouted = doc.rerouted;
      doc.rerouted = false;
      const after = indexOf();
      if (doc.dropped || after === before) continue;
      if (final)
        throw new ProcessorError(
          `final pipeline [${id}] can't change the target index`,
          'illegal_state_exception',
          500,
        );
      if (history.includes(after))
        throw new ProcessorError(
          `index cycle detected while processing pipeline [${id}]: [${[...history, after].join(', ')}]`,
          'illegal_state_exception',
          500,
        );
      history.push(after);
      const next = forIndex?.(after) ?? {};
      const nextDefault = next.defaultPipeline === '_none' ? undefined : next.defaultPipeline;
      const nextFinal = next.finalPipeline === '_none' ? undefined : next.finalPipeline;
      queue = [];
      if (rerouted && nextDefault !== undefined) queue.push({ id: nextDefault, final: false });
      if (nextFinal !== undefined) queue.push({ id: nextFinal, final: true });
    }
  } catch (e) {
    const err = asProcessorError(e);
    const reason = e instanceof PipelineFailure ? e.message : err.message;
    return { source: doc.source, meta: doc.meta, error: { status: err.status, type: err.type, reason } };
  }
  return { source: doc.dropped ? undefined : doc.source, meta: doc.meta };
}
