import { createHash } from 'node:crypto';
import type { IngestItem } from '../../pipeline/ingest.js';

/** Ids the pipeline keeps verbatim as `event.id` (same rule as pipeline/stamp.ts). */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** `type-dataset-namespace` (https://www.elastic.co/docs/reference/ecs/ecs-data_stream): neither dataset nor namespace may contain '-'. */
const DATA_STREAM = /^(logs|metrics|traces|synthetics|profiling)-([^-\s]+)-([^-\s]+)$/;

export interface BulkError {
  status: number;
  type: string;
  reason: string;
}

/** One action of a bulk request, in request order: its response entry is built from this. */
export interface BulkOp {
  action: string;
  index: string;
  /** The `_id` the client gave, echoed back. */
  id: string | undefined;
  /** Position in the ingest items handed to the pipeline, when the action produced one. */
  item: number | undefined;
  /** Set when the action failed before reaching the pipeline. */
  error: BulkError | undefined;
  /** An ingest pipeline dropped the document: answered as a no-op, nothing stored. */
  dropped?: boolean;
}

/** Runs before the index is applied: ingest pipelines (may change the document and its `_index`). */
export type BulkTransform = (
  doc: Doc,
  meta: { index: string; id: string | undefined; pipeline: string | undefined },
) => { ok: true; doc: Doc; index: string } | { ok: false; error: BulkError } | { dropped: true };

export interface ParsedBulk {
  ops: BulkOp[];
  items: IngestItem[];
}

/** `_id` → `event.id`: verbatim when the pipeline accepts it, else a stable digest so retries still collapse. */
export function eventIdFor(id: string): string {
  return ID_PATTERN.test(id) ? id : `es-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

type Doc = Record<string, unknown>;

function isObj(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The target index says where a document belongs: a data stream name, or a plain index kept as a label. */
export function applyIndex(doc: Doc, index: string): void {
  if (!index) return;
  const m = DATA_STREAM.exec(index);
  if (m) {
    const ds = isObj(doc.data_stream) ? doc.data_stream : (doc.data_stream = {});
    ds.type ??= m[1];
    ds.dataset ??= m[2];
    ds.namespace ??= m[3];
    return;
  }
  const labels = isObj(doc.labels) ? doc.labels : (doc.labels = {});
  labels.index ??= index;
}

function setEventId(doc: Doc, id: string): void {
  const ev = doc.event;
  if (ev === undefined) doc.event = { id: eventIdFor(id) };
  // A non-object `event` is left alone: the pipeline refuses the document with its reason.
  else if (isObj(ev)) ev.id = eventIdFor(id);
}

function lineAt(body: Buffer, pos: number): [string, number] {
  let end = body.indexOf(0x0a, pos);
  if (end === -1) end = body.length;
  let stop = end;
  if (stop > pos && body[stop - 1] === 0x0d) stop--;
  return [body.toString('utf8', pos, stop), end + 1];
}

const UNSUPPORTED: BulkError = {
  status: 400,
  type: 'illegal_argument_exception',
  reason: 'Vigil stores events append-only: only index and create actions are supported',
};

/**
 * Parses an Elasticsearch `_bulk` body (NDJSON: action/metadata line, then a source line for
 * index/create/update; delete has none). Never throws: every action gets an entry, unparsable
 * source lines and unsupported actions become failed items with their reason.
 */
export function parseBulk(body: Buffer, defaultIndex = '', transform?: BulkTransform): ParsedBulk {
  const ops: BulkOp[] = [];
  const items: IngestItem[] = [];
  let pos = 0;
  let lineNo = 0;
  const next = (): string | undefined => {
    while (pos < body.length) {
      const [line, after] = lineAt(body, pos);
      pos = after;
      lineNo++;
      if (line.trim() !== '') return line;
    }
    return undefined;
  };
  for (let actionLine = next(); actionLine !== undefined; actionLine = next()) {
    const actionLineNo = lineNo;
    let meta: unknown;
    try {
      meta = JSON.parse(actionLine);
    } catch {
      meta = undefined;
    }
    const keys = isObj(meta) ? Object.keys(meta) : [];
    const action = keys.length === 1 ? keys[0]! : '';
    const params = isObj(meta) && isObj(meta[action]) ? meta[action] : undefined;
    const index = typeof params?._index === 'string' ? params._index : defaultIndex;
    const id = typeof params?._id === 'string' && params._id !== '' ? params._id : undefined;
    if (action === 'delete' && params) {
      ops.push({ action, index, id, item: undefined, error: UNSUPPORTED });
      continue;
    }
    const source = next();
    if (!params || (action !== 'index' && action !== 'create' && action !== 'update')) {
      // A broken action line: assume the next line was its source so the pairs stay aligned.
      const reason = `line ${actionLineNo}: malformed action/metadata line, expected {"index"|"create":{...}}`;
      ops.push({
        action: action || 'index',
        index,
        id,
        item: items.length,
        error: { status: 400, type: 'illegal_argument_exception', reason },
      });
      items.push({ ok: false, reason, raw: source === undefined ? actionLine : `${actionLine}\n${source}` });
      continue;
    }
    if (source === undefined) {
      const reason = `line ${actionLineNo}: ${action} action without a source line`;
      ops.push({
        action,
        index,
        id,
        item: items.length,
        error: { status: 400, type: 'illegal_argument_exception', reason },
      });
      items.push({ ok: false, reason, raw: actionLine });
      continue;
    }
    if (action === 'update') {
      ops.push({ action, index, id, item: items.length, error: UNSUPPORTED });
      items.push({
        ok: false,
        reason: `line ${actionLineNo}: ${UNSUPPORTED.reason}`,
        raw: `${actionLine}\n${source}`,
      });
      continue;
    }
    let doc: unknown;
    let parseError = '';
    try {
      doc = JSON.parse(source);
    } catch (e) {
      parseError = (e as Error).message;
    }
    if (!isObj(doc)) {
      const reason = `line ${lineNo}: ${parseError ? `invalid JSON: ${parseError}` : 'source is not a JSON object'}`;
      ops.push({
        action,
        index,
        id,
        item: items.length,
        error: { status: 400, type: 'document_parsing_exception', reason },
      });
      items.push({ ok: false, reason, raw: source });
      continue;
    }
    let target = index;
    if (transform) {
      const pipeline =
        typeof params.pipeline === 'string' && params.pipeline !== '' ? params.pipeline : undefined;
      const t = transform(doc, { index, id, pipeline });
      if ('dropped' in t) {
        ops.push({ action, index, id, item: undefined, error: undefined, dropped: true });
        continue;
      }
      if (!t.ok) {
        ops.push({ action, index, id, item: items.length, error: t.error });
        items.push({ ok: false, reason: `line ${lineNo}: ${t.error.reason}`, raw: source });
        continue;
      }
      doc = t.doc;
      target = t.index;
    }
    const finalDoc = doc as Doc;
    applyIndex(finalDoc, target);
    if (id !== undefined) setEventId(finalDoc, id);
    ops.push({ action, index: target, id, item: items.length, error: undefined });
    items.push({ ok: true, doc: finalDoc, raw: source });
  }
  return { ops, items };
}
