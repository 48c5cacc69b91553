import { open, readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { RawEventDoc } from '../../schema/ecs.js';
import { normalizeDocument, type DocKind, type ReaderHooks } from './classify.js';
import { LineCutter } from './lines.js';
import { JsonValueSplitter } from './json-splitter.js';
import { CsvParser } from './csv.js';
import { sniffFormat, isGzip, zeekLogFromName, type FileFormat } from './sniff.js';
import { isZip, listZipEntries, extractZipEntry } from './zip.js';
import { isTar, listTarEntries } from './tar.js';
import { applyZeekHeaderLine, defaultZeekHeader, parseZeekTsvLine } from '../zeek/tsv.js';
import { normalizeZeek } from '../zeek/normalize.js';
import { readCapture } from '../pcap/capture.js';

/**
 * Reads an event file of any common kind into normalized documents: plain, gzip or zip; EVTX (via
 * hook), NDJSON, JSON arrays or streams of JSON values, CSV, Zeek TSV/JSON, Suricata EVE, pcap and
 * pcapng. Never throws: every problem, including an unreadable file, is an `ok:false` item.
 */
export type { FileFormat } from './sniff.js';
export type { ReaderHooks } from './classify.js';

export interface FileSource { file: string; line?: number; entry?: string }
export type FileItem =
  | { ok: true; doc: RawEventDoc; source: FileSource }
  | { ok: false; reason: string; /** the offending text (base64 for binary input) */ raw: string; source: FileSource };

export interface ReadOptions {
  format?: FileFormat;
  hooks?: ReaderHooks;
  /** Bytes read per chunk from disk. */
  chunkSize?: number;
  /** Largest decompressed zip entry or nested gzip accepted (zip-bomb guard). */
  maxEntryBytes?: number;
}

const CHUNK = 4 * 1024 * 1024;
const SNIFF_BYTES = 64 * 1024;
const RAW_LIMIT = 4096;

async function* fileChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function* gunzipChunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(createGunzip({ chunkSize: 1024 * 1024 }));
  for await (const chunk of stream) yield chunk as Buffer;
}

async function* bufferChunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

type Out = FileItem[];

interface Processor {
  push(chunk: Buffer, out: Out): void;
  end(out: Out): void;
}

const at = (s: FileSource, line: number): FileSource => (s.entry === undefined ? { file: s.file, line } : { file: s.file, entry: s.entry, line });
const clip = (s: string): string => (s.length > RAW_LIMIT ? s.slice(0, RAW_LIMIT) : s);

function forcedKind(format: FileFormat): DocKind | undefined {
  return format === 'zeek-json' ? 'zeek' : format === 'eve' ? 'eve' : undefined;
}

function jsonLinesProcessor(source: FileSource, hooks: ReaderHooks, zeekLog: string, force: DocKind | undefined): Processor {
  let out: Out = [];
  const cutter = new LineCutter(64 * 1024 * 1024, (line, head) =>
    out.push({ ok: false, reason: 'line longer than 64 MiB', raw: clip(head), source: at(source, line) }),
  );
  const onLine = (buf: Buffer, s: number, e: number, line: number): void => {
    // Skip blank lines without decoding them.
    let i = s;
    while (i < e && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (i === e) return;
    const text = buf.toString('utf8', s, e);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.push({ ok: false, reason: `invalid JSON: ${(err as Error).message}`, raw: clip(text), source: at(source, line) });
      return;
    }
    const r = normalizeDocument(value, text, hooks, zeekLog, force);
    if (r.ok) out.push({ ok: true, doc: r.value, source: at(source, line) });
    else out.push({ ok: false, reason: r.reason, raw: clip(text), source: at(source, line) });
  };
  return {
    push(chunk, o) {
      out = o;
      cutter.push(chunk, onLine);
    },
    end(o) {
      out = o;
      cutter.end(onLine);
    },
  };
}

function jsonValuesProcessor(source: FileSource, hooks: ReaderHooks, zeekLog: string, force: DocKind | undefined): Processor {
  const splitter = new JsonValueSplitter();
  let out: Out = [];
  const onValue = ({ text, line }: { text: string; line: number }): void => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.push({ ok: false, reason: `invalid JSON: ${(err as Error).message}`, raw: clip(text), source: at(source, line) });
      return;
    }
    const r = normalizeDocument(value, text, hooks, zeekLog, force);
    if (r.ok) out.push({ ok: true, doc: r.value, source: at(source, line) });
    else out.push({ ok: false, reason: r.reason, raw: clip(text), source: at(source, line) });
  };
  const onError = ({ reason, raw, line }: { reason: string; raw: string; line: number }): void => {
    out.push({ ok: false, reason, raw: clip(raw), source: at(source, line) });
  };
  return {
    push(chunk, o) {
      out = o;
      splitter.push(chunk, onValue, onError);
    },
    end(o) {
      out = o;
      splitter.end(onValue, onError);
    },
  };
}

function zeekTsvProcessor(source: FileSource, zeekLog: string): Processor {
  const header = defaultZeekHeader();
  let out: Out = [];
  const cutter = new LineCutter(16 * 1024 * 1024, (line, head) =>
    out.push({ ok: false, reason: 'line longer than 16 MiB', raw: clip(head), source: at(source, line) }),
  );
  const onLine = (buf: Buffer, s: number, e: number, line: number): void => {
    if (e === s) return;
    const text = buf.toString('utf8', s, e);
    if (buf[s] === 0x23 && applyZeekHeaderLine(header, text)) return;
    const rec = parseZeekTsvLine(header, text);
    if (!rec.ok) {
      out.push({ ok: false, reason: rec.reason, raw: clip(text), source: at(source, line) });
      return;
    }
    const r = normalizeZeek(rec.value, header.path || zeekLog);
    if (!r.ok) {
      out.push({ ok: false, reason: r.reason, raw: clip(text), source: at(source, line) });
      return;
    }
    (r.value.event as Record<string, unknown>).original = text;
    out.push({ ok: true, doc: r.value, source: at(source, line) });
  };
  return {
    push(chunk, o) {
      out = o;
      cutter.push(chunk, onLine);
    },
    end(o) {
      out = o;
      cutter.end(onLine);
    },
  };
}

/** Quotes a field for `event.original` so the reconstructed CSV line reads back the same. */
const csvQuote = (f: string): string => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);

function csvProcessor(source: FileSource, hooks: ReaderHooks): Processor {
  const parser = new CsvParser(',');
  const decoder = new StringDecoder('utf8');
  let header: string[] | undefined;
  let out: Out = [];
  let first = true;
  const onRecord = ({ fields, line }: { fields: string[]; line: number }): void => {
    if (!header) {
      header = fields.map((f) => f.trim());
      return;
    }
    const raw = fields.map(csvQuote).join(',');
    if (fields.length !== header.length) {
      out.push({ ok: false, reason: `csv: ${fields.length} fields where the header has ${header.length}`, raw: clip(raw), source: at(source, line) });
      return;
    }
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const k = header[i]!;
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      if (fields[i] !== '') obj[k] = fields[i];
    }
    const r = normalizeDocument(obj, raw, hooks);
    if (r.ok) out.push({ ok: true, doc: r.value, source: at(source, line) });
    else out.push({ ok: false, reason: r.reason, raw: clip(raw), source: at(source, line) });
  };
  const onError = (reason: string, line: number): void => {
    out.push({ ok: false, reason, raw: '', source: at(source, line) });
  };
  return {
    push(chunk, o) {
      out = o;
      let text = decoder.write(chunk);
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      parser.push(text, onRecord, onError);
    },
    end(o) {
      out = o;
      parser.push(decoder.end(), onRecord, onError);
      parser.end(onRecord, onError);
    },
  };
}

function binaryItems(format: FileFormat, buf: Buffer, source: FileSource, hooks: ReaderHooks): Out {
  const out: Out = [];
  try {
    if (format === 'evtx') {
      if (!hooks.evtx) {
        out.push({ ok: false, reason: 'evtx: no EVTX parser wired (hooks.evtx)', raw: buf.toString('base64', 0, 64), source });
        return out;
      }
      let n = 0;
      for (const r of hooks.evtx(buf)) {
        n++;
        const src = { ...source, entry: source.entry ? `${source.entry}#record ${n}` : `record ${n}` };
        if (!r.ok) {
          out.push({ ok: false, reason: r.reason, raw: '', source: src });
          continue;
        }
        const d = normalizeDocument(r.value, undefined, hooks, '', 'windows');
        if (d.ok) out.push({ ok: true, doc: d.value, source: src });
        else out.push({ ok: false, reason: d.reason, raw: clip(JSON.stringify(r.value) ?? ''), source: src });
      }
      return out;
    }
    let n = 0;
    for (const r of readCapture(buf)) {
      n++;
      if (r.ok) out.push({ ok: true, doc: r.value, source });
      else out.push({ ok: false, reason: r.reason, raw: '', source: { ...source, entry: source.entry ?? `item ${n}` } });
    }
  } catch (err) {
    out.push({ ok: false, reason: `${format}: ${(err as Error).message}`, raw: '', source });
  }
  return out;
}

async function* processStream(chunks: AsyncIterable<Buffer>, name: string, source: FileSource, opts: ReadOptions, nested = false): AsyncGenerator<Out> {
  const hooks = opts.hooks ?? {};
  const it = chunks[Symbol.asyncIterator]();
  const headParts: Buffer[] = [];
  let headLen = 0;
  let finished = false;
  while (headLen < SNIFF_BYTES) {
    const n = await it.next();
    if (n.done) {
      finished = true;
      break;
    }
    headParts.push(n.value);
    headLen += n.value.length;
  }
  if (headLen === 0) return;
  const head = headParts.length === 1 ? headParts[0]! : Buffer.concat(headParts);
  if (!opts.format && (nested || !isTar(head)) && (isGzip(head) || isZip(head) || isTar(head))) {
    yield [{ ok: false, reason: 'nested archive inside an archive: skipped', raw: '', source }];
    return;
  }
  if (!opts.format && isTar(head)) {
    const parts = [head];
    if (!finished) for (let n = await it.next(); !n.done; n = await it.next()) parts.push(n.value);
    const entries = listTarEntries(parts.length === 1 ? head : Buffer.concat(parts));
    if (!entries.ok) {
      yield [{ ok: false, reason: entries.reason, raw: '', source }];
      return;
    }
    for (const e of entries.value) {
      if (e.name.startsWith('__MACOSX/') || e.name.includes('/._')) continue;
      yield* processStream(bufferChunks(e.data, opts.chunkSize ?? CHUNK), e.name, { ...source, entry: e.name }, opts, true);
    }
    return;
  }
  const format = opts.format ?? sniffFormat(head);
  if (!format) {
    yield [{ ok: false, reason: 'unrecognized file format', raw: clip(head.toString('utf8', 0, 256)), source }];
    return;
  }
  if (format === 'evtx' || format === 'pcap' || format === 'pcapng') {
    const parts = [head];
    if (!finished) for (let n = await it.next(); !n.done; n = await it.next()) parts.push(n.value);
    yield binaryItems(format, parts.length === 1 ? head : Buffer.concat(parts), source, hooks);
    return;
  }
  const zeekLog = zeekLogFromName(name);
  const force = forcedKind(format);
  const proc: Processor =
    format === 'zeek-tsv' ? zeekTsvProcessor(source, zeekLog)
    : format === 'csv' ? csvProcessor(source, hooks)
    : format === 'json' ? jsonValuesProcessor(source, hooks, zeekLog, force)
    : jsonLinesProcessor(source, hooks, zeekLog, force);
  let out: Out = [];
  proc.push(head, out);
  if (out.length) {
    yield out;
    out = [];
  }
  if (!finished) {
    for (let n = await it.next(); !n.done; n = await it.next()) {
      proc.push(n.value, out);
      if (out.length) {
        yield out;
        out = [];
      }
    }
  }
  proc.end(out);
  if (out.length) yield out;
}

async function* readRaw(path: string, opts: ReadOptions): AsyncGenerator<Out> {
  const source: FileSource = { file: path };
  const chunkSize = opts.chunkSize ?? CHUNK;
  const maxEntry = opts.maxEntryBytes ?? 2 ** 31 - 1;
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(8);
      const { bytesRead } = await fh.read(b, 0, 8, 0);
      head = b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    yield [{ ok: false, reason: `cannot read file: ${(err as Error).message}`, raw: '', source }];
    return;
  }
  if (isGzip(head)) {
    yield* processStream(gunzipChunks(path), path.replace(/\.gz$/i, ''), source, opts);
    return;
  }
  if (isZip(head)) {
    const buf = await readFile(path);
    const entries = listZipEntries(buf);
    if (!entries.ok) {
      yield [{ ok: false, reason: entries.reason, raw: '', source }];
      return;
    }
    for (const e of entries.value) {
      if (e.name.endsWith('/') || e.name.startsWith('__MACOSX/')) continue;
      const src: FileSource = { file: path, entry: e.name };
      const data = extractZipEntry(buf, e, maxEntry);
      if (!data.ok) {
        yield [{ ok: false, reason: data.reason, raw: '', source: src }];
        continue;
      }
      let content = data.value;
      let name = e.name;
      if (isGzip(content)) {
        try {
          content = gunzipSync(content, { maxOutputLength: maxEntry });
          name = name.replace(/\.gz$/i, '');
        } catch (err) {
          yield [{ ok: false, reason: `gzip inside zip: ${(err as Error).message}`, raw: '', source: src }];
          continue;
        }
      }
      yield* processStream(bufferChunks(content, chunkSize), name, src, opts, true);
    }
    return;
  }
  yield* processStream(fileChunks(path, chunkSize), path, source, opts);
}

/** Reads a file as batches of at most `batchSize` items. */
export async function* readEventFileBatches(path: string, opts: ReadOptions = {}, batchSize = 1000): AsyncGenerator<FileItem[]> {
  const size = Math.max(1, Math.floor(batchSize));
  let pending: FileItem[] = [];
  try {
    for await (const out of readRaw(path, opts)) {
      if (pending.length === 0 && out.length === size) {
        yield out;
        continue;
      }
      for (const item of out) {
        pending.push(item);
        if (pending.length >= size) {
          yield pending;
          pending = [];
        }
      }
    }
  } catch (err) {
    pending.push({ ok: false, reason: `read failed: ${(err as Error).message}`, raw: '', source: { file: path } });
  }
  if (pending.length) yield pending;
}

export async function* readEventFile(path: string, opts: ReadOptions = {}): AsyncGenerator<FileItem> {
  for await (const batch of readEventFileBatches(path, opts, 4096)) yield* batch;
}
