import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { READER_HOOKS } from '../../normalize/incoming.js';
import { readEventFileBatches, type FileItem } from '../../parse/files/index.js';
import type { IngestItem, IngestPipeline } from '../../pipeline/ingest.js';

/** Files under the given paths (directories walked recursively, hidden entries skipped), sorted. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) {
      out.push(p); // the reader reports it as unreadable, so the user sees the name
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (!e.startsWith('.')) walk(path.join(p, e));
    } else out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

export function whereOf(item: FileItem): string {
  const s = item.source;
  return `${s.file}${s.entry ? `!${s.entry}` : ''}${s.line !== undefined ? `:${s.line}` : ''}`;
}

export function toIngestItem(item: FileItem): IngestItem {
  if (item.ok) return { ok: true, doc: item.doc, normalized: true };
  return { ok: false, reason: `${whereOf(item)}: ${item.reason}`, raw: item.raw };
}

export interface ImportProgress {
  file: string;
  accepted: number;
  rejected: number;
}

/** Reads files of any supported kind and stores their events in one tenant, batch by batch. */
export async function importFiles(
  pipeline: IngestPipeline,
  tenant: string,
  paths: string[],
  onProgress?: (p: ImportProgress) => void,
): Promise<{ files: number; accepted: number; rejected: number }> {
  const files = expandPaths(paths);
  let accepted = 0;
  let rejected = 0;
  for (const file of files) {
    for await (const batch of readEventFileBatches(file, { hooks: READER_HOOKS }, 1000)) {
      const r = await pipeline.ingest(tenant, 'file', batch.map(toIngestItem));
      accepted += r.accepted;
      rejected += r.rejected.length;
      onProgress?.({ file, accepted, rejected });
    }
  }
  return { files: files.length, accepted, rejected };
}
