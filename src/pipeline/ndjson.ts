import type { IngestItem } from './ingest.js';

/**
 * Decodes an HTTP body that is NDJSON, a JSON array, or one JSON object. A bad line becomes a
 * failed item with its line number; the other lines still go through.
 */
export function decodeJsonBody(body: Buffer): IngestItem[] {
  let start = 0;
  while (start < body.length && (body[start] === 0x20 || body[start] === 0x0a || body[start] === 0x0d || body[start] === 0x09)) start++;
  // Skip a UTF-8 BOM.
  if (body[start] === 0xef && body[start + 1] === 0xbb && body[start + 2] === 0xbf) start += 3;
  if (body[start] === 0x5b /* [ */) {
    const text = body.toString('utf8', start);
    try {
      const arr = JSON.parse(text) as unknown[];
      return arr.map((doc) => ({ ok: true, doc }));
    } catch (e) {
      return [{ ok: false, reason: `body: invalid JSON array: ${(e as Error).message}`, raw: text.slice(0, 65536) }];
    }
  }
  const items: IngestItem[] = [];
  let lineNo = 0;
  let pos = start;
  while (pos < body.length) {
    let end = body.indexOf(0x0a, pos);
    if (end === -1) end = body.length;
    lineNo++;
    let stop = end;
    if (stop > pos && body[stop - 1] === 0x0d) stop--;
    const line = body.toString('utf8', pos, stop);
    pos = end + 1;
    if (line.trim() === '') continue;
    try {
      items.push({ ok: true, doc: JSON.parse(line), raw: line });
    } catch (e) {
      items.push({ ok: false, reason: `line ${lineNo}: invalid JSON: ${(e as Error).message}`, raw: line });
    }
  }
  return items;
}
