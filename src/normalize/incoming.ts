import { normalizeDocument } from '../parse/files/classify.js';
import { readEvtx } from '../parse/evtx/index.js';
import type { RawEventDoc } from '../schema/ecs.js';
import type { Parsed } from '../schema/result.js';
import { normalizeWindows } from './windows/index.js';

/** The parsers that live outside the file reader, handed to it (and to HTTP ingest) as hooks. */
export const READER_HOOKS = { evtx: (buf: Buffer) => readEvtx(buf), windows: normalizeWindows };

/**
 * A JSON document from a shipper (HTTP, bulk, HEC, files) → ECS: Windows shapes, Zeek and Suricata
 * are recognized and mapped; ECS documents pass as they are; anything else keeps its fields.
 */
export function normalizeIncoming(doc: unknown, raw?: string): Parsed<RawEventDoc> {
  return normalizeDocument(doc, raw, READER_HOOKS);
}
