import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import RE2 from 're2';
import { READER_HOOKS } from '../../normalize/incoming.js';
import { normalizeDocument, readEventFileBatches, sniffFormat, zeekLogFromName } from '../../parse/files/index.js';
import { parseSyslog } from '../../parse/syslog/index.js';
import { applyZeekHeaderLine, defaultZeekHeader, parseZeekTsvLine, type ZeekTsvHeader } from '../../parse/zeek/tsv.js';
import { normalizeZeek } from '../../parse/zeek/normalize.js';
import type { IngestItem, IngestPipeline } from '../../pipeline/ingest.js';
import { toIngestItem } from './import.js';

export interface DirectoryWatchOptions {
  id: string;
  /** Directory polled (top level only; hidden entries skipped). */
  path: string;
  tenant: string;
  /** Where the per-file offsets are kept (`<dataDir>/file-inputs/<id>.json`). */
  dataDir: string;
  /** Glob on the file name (`*` and `?`), e.g. `*.log`; default every file. */
  pattern?: string;
  pollMs?: number;
  /** Zone of plain-text log lines whose timestamps carry no offset. */
  timezone?: string;
  batchSize?: number;
}

export interface DirectoryWatch {
  /** Runs one scan now (tests, and the first scan at start). */
  poll(): Promise<void>;
  close(): Promise<void>;
}

/** How a file is read: tailed line by line from an offset, or taken whole once it stops changing. */
type FileKind = 'ndjson' | 'zeek-tsv' | 'text' | 'whole';

interface FileState {
  file: string;
  kind: FileKind;
  /** Tailed files: bytes consumed (always at a line end). */
  offset: number;
  /** sha256 of the first `headLen` bytes: tells a reused inode or a rewritten file from ours. */
  head: string;
  headLen: number;
  /** Tailed files: inside a line too long to take, skipping to its end. */
  skipping?: boolean;
  /** Whole files: items already stored (resume point), and the version taken. */
  items?: number;
  size?: number;
  mtimeMs?: number;
  done?: boolean;
}

interface StateDoc {
  version: 1;
  files: Record<string, FileState>;
}

const CHUNK = 4 * 1024 * 1024;
const HEAD_BYTES = 256;
const RAW_LIMIT = 4096;
const WHOLE_EXT = /\.(evtx|gz|tgz|zip|tar|pcap|pcapng|cap|csv)$/i;

/** `*.log` → anchored RE2 (the pattern comes from configuration). */
export function globMatcher(glob: string | undefined): (name: string) => boolean {
  if (glob === undefined || glob === '' || glob === '*') return () => true;
  const src = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RE2(`^${src}$`);
  return (name) => re.test(name);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/** Tail or whole; undefined while a text file has no complete first line to judge by. */
export function classifyFile(name: string, head: Buffer): FileKind | undefined {
  if (WHOLE_EXT.test(name)) return 'whole';
  const fmt = sniffFormat(head);
  if (fmt === 'evtx' || fmt === 'pcap' || fmt === 'pcapng') return 'whole';
  // gzip, zip and tar by magic, whatever their names.
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'whole';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'whole';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'whole';
  if (head.indexOf(10) === -1) return undefined;
  if (fmt === 'ndjson') return 'ndjson';
  if (fmt === 'zeek-tsv') return 'zeek-tsv';
  // A JSON array or pretty-printed JSON is only readable as a whole.
  if (fmt === 'json') return 'whole';
  // `csv` by sniffing but not by name is usually a log line with commas in it.
  return 'text';
}

/**
 * Event ids for tailed lines follow from where the line sits, so a batch read again after a crash
 * (stored, but its offset not yet saved) is ignored by the store instead of stored twice.
 */
function lineEventId(fileKey: string, offset: number): string {
  const h = createHash('sha256').update(`${fileKey}@${offset}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function withId(doc: unknown, id: string): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const d = doc as Record<string, unknown>;
  const ev = d.event;
  if (ev === undefined) d.event = { id };
  else if (ev !== null && typeof ev === 'object' && !Array.isArray(ev)) {
    const e = ev as Record<string, unknown>;
    if (typeof e.id !== 'string') e.id = id;
  }
  return doc;
}

/**
 * A watched directory: polls (fs.watch misses events on network and container file systems),
 * tails growing line files (NDJSON, Zeek TSV, plain syslog-style logs) from the saved offset and
 * takes other files (EVTX, archives, pcap, JSON arrays, CSV) whole once their size held across two
 * polls. Offsets are saved after each batch is stored, keyed by inode, so a rename-rotation keeps
 * reading the old file and a new or truncated file starts from 0.
 */
export async function startDirectoryWatch(opts: DirectoryWatchOptions, pipeline: IngestPipeline, log: Pick<Logger, 'warn' | 'debug'>): Promise<DirectoryWatch> {
  const pollMs = opts.pollMs ?? 2000;
  const batchSize = opts.batchSize ?? 1000;
  const timezone = opts.timezone ?? 'UTC';
  const matches = globMatcher(opts.pattern);
  const stateDir = path.join(opts.dataDir, 'file-inputs');
  const stateFile = path.join(stateDir, `${opts.id}.json`);
  await mkdir(stateDir, { recursive: true });
  let state: StateDoc = { version: 1, files: {} };
  try {
    const loaded = JSON.parse(await readFile(stateFile, 'utf8')) as StateDoc;
    if (loaded && loaded.version === 1 && typeof loaded.files === 'object') state = loaded;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, input: opts.id }, 'file input state unreadable; starting over');
  }
  /** Whole files: the size seen at the previous poll, to tell a finished file from one being written. */
  const lastSeen = new Map<string, string>();
  let stopped = false;

  const save = async () => {
    const tmp = `${stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, stateFile);
  };

  const ingest = async (items: IngestItem[]) => {
    if (items.length > 0) await pipeline.ingest(opts.tenant, opts.id, items);
  };

  const zeekHeaderOf = async (fh: FileHandle): Promise<ZeekTsvHeader> => {
    const header = defaultZeekHeader();
    const head = await readAt(fh, 0, 64 * 1024);
    for (const line of head.toString('utf8').split('\n')) {
      if (!line.startsWith('#')) break;
      applyZeekHeaderLine(header, line.replace(/\r$/, ''));
    }
    return header;
  };

  const tail = async (file: string, key: string, s: FileState, size: number) => {
    const fh = await open(file, 'r');
    try {
      if (s.headLen === 0) {
        // The content fingerprint is part of every line's event id, so it is fixed before reading.
        const head = await readAt(fh, 0, HEAD_BYTES);
        s.headLen = head.length;
        s.head = sha(head);
      }
      const zeek = s.kind === 'zeek-tsv' ? await zeekHeaderOf(fh) : undefined;
      const zeekLog = zeekLogFromName(s.file);
      const fileKey = `${opts.id}:${key}:${s.head}`;
      const toItem = (text: string, at: number): IngestItem | undefined => {
        const where = `${s.file}@${at}`;
        if (s.kind === 'ndjson') {
          let v: unknown;
          try {
            v = JSON.parse(text);
          } catch (err) {
            return { ok: false, reason: `${where}: invalid JSON: ${(err as Error).message}`, raw: text.slice(0, RAW_LIMIT) };
          }
          const r = normalizeDocument(v, text, READER_HOOKS, zeekLog);
          return r.ok ? { ok: true, doc: withId(r.value, lineEventId(fileKey, at)), normalized: true } : { ok: false, reason: `${where}: ${r.reason}`, raw: text.slice(0, RAW_LIMIT) };
        }
        if (zeek) {
          if (text.startsWith('#')) {
            applyZeekHeaderLine(zeek, text);
            return undefined;
          }
          const rec = parseZeekTsvLine(zeek, text);
          const r = rec.ok ? normalizeZeek(rec.value, zeek.path || zeekLog) : rec;
          if (!r.ok) return { ok: false, reason: `${where}: ${r.reason}`, raw: text.slice(0, RAW_LIMIT) };
          (r.value.event as Record<string, unknown>).original = text;
          return { ok: true, doc: withId(r.value, lineEventId(fileKey, at)), normalized: true };
        }
        const r = parseSyslog(text, { timezone, now: new Date() });
        return r.ok ? { ok: true, doc: withId(r.value, lineEventId(fileKey, at)), normalized: true } : { ok: false, reason: `${where}: ${r.reason}`, raw: text.slice(0, RAW_LIMIT) };
      };

      let pos = s.offset;
      while (pos < size && !stopped) {
        const buf = await readAt(fh, pos, Math.min(CHUNK, size - pos));
        if (buf.length === 0) break;
        let start = 0;
        if (s.skipping) {
          const nl = buf.indexOf(10);
          if (nl === -1) {
            s.offset = pos += buf.length;
            await save();
            continue;
          }
          s.skipping = false;
          start = nl + 1;
        }
        const last = buf.lastIndexOf(10);
        if (last < start) {
          // No line end in a whole chunk: a line too long to hold. Dead-letter its head, skip the rest.
          if (buf.length === CHUNK) {
            await ingest([{ ok: false, reason: `${s.file}@${pos + start}: line longer than ${CHUNK} bytes`, raw: buf.toString('utf8', start, start + RAW_LIMIT) }]);
            s.skipping = true;
            s.offset = pos += buf.length;
            await save();
            continue;
          }
          break; // an unfinished last line: wait for its end
        }
        let items: IngestItem[] = [];
        let lineStart = start;
        while (lineStart <= last) {
          const nl = buf.indexOf(10, lineStart);
          let s0 = lineStart;
          let e = nl;
          if (e > s0 && buf[e - 1] === 13) e--;
          if (pos + s0 === 0 && e - s0 >= 3 && buf[s0] === 0xef && buf[s0 + 1] === 0xbb && buf[s0 + 2] === 0xbf) s0 += 3;
          let blank = true;
          for (let i = s0; i < e; i++) if (buf[i] !== 0x20 && buf[i] !== 0x09) { blank = false; break; }
          if (!blank) {
            const it = toItem(buf.toString('utf8', s0, e), pos + lineStart);
            if (it) items.push(it);
          }
          lineStart = nl + 1;
          if (items.length >= batchSize || lineStart > last) {
            await ingest(items);
            items = [];
            s.offset = pos + lineStart;
            await save();
            if (stopped) return;
          }
        }
        pos = s.offset;
      }
    } finally {
      await fh.close();
    }
  };

  const whole = async (file: string, key: string, s: FileState, size: number, mtimeMs: number) => {
    const version = `${size}:${mtimeMs}`;
    if (s.done && s.size === size && s.mtimeMs === mtimeMs) return;
    const prev = lastSeen.get(key);
    lastSeen.set(key, version);
    // Only once it held still since the last poll: a file still being copied or written is skipped.
    if (prev !== version) return;
    if (s.done || (s.size !== undefined && (s.size !== size || s.mtimeMs !== mtimeMs))) {
      // A new version of a file taken before: taken again in full.
      s.items = 0;
      s.done = false;
    }
    s.size = size;
    s.mtimeMs = mtimeMs;
    let skip = s.items ?? 0;
    for await (const batch of readEventFileBatches(file, { hooks: READER_HOOKS }, batchSize)) {
      if (stopped) return;
      if (skip >= batch.length) {
        skip -= batch.length;
        continue;
      }
      const rest = skip > 0 ? batch.slice(skip) : batch;
      skip = 0;
      await ingest(rest.map(toIngestItem));
      s.items = (s.items ?? 0) + rest.length;
      await save();
    }
    s.done = true;
    await save();
  };

  const sameFile = async (file: string, s: FileState): Promise<boolean> => {
    if (s.headLen === 0) return true;
    const fh = await open(file, 'r');
    try {
      const head = await readAt(fh, 0, s.headLen);
      return head.length === s.headLen && sha(head) === s.head;
    } finally {
      await fh.close();
    }
  };

  const visit = async (name: string, key: string, size: number, mtimeMs: number) => {
    const file = path.join(opts.path, name);
    let s = state.files[key];
    if (s && !(await sameFile(file, s))) {
      // Same inode, other content: truncated and rewritten (copytruncate), or an inode reused.
      s = undefined;
      delete state.files[key];
    }
    if (!s) {
      if (size === 0) return;
      const fh = await open(file, 'r');
      let head: Buffer;
      try {
        head = await readAt(fh, 0, Math.min(size, 64 * 1024));
      } finally {
        await fh.close();
      }
      const kind = classifyFile(name, head);
      if (!kind) return;
      s = { file: name, kind, offset: 0, head: '', headLen: 0 };
      state.files[key] = s;
    }
    s.file = name;
    if (s.kind === 'whole') return whole(file, key, s, size, mtimeMs);
    if (size < s.offset) {
      s.offset = 0;
      s.skipping = false;
    }
    if (size > s.offset) await tail(file, key, s, size);
  };

  const scan = async () => {
    let names: string[];
    try {
      names = (await readdir(opts.path, { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.') && matches(e.name))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      log.warn({ err, input: opts.id, path: opts.path }, 'watched directory unreadable');
      return;
    }
    const present = new Set<string>();
    for (const name of names) {
      if (stopped) return;
      try {
        const st = await stat(path.join(opts.path, name), { bigint: true });
        const key = `${st.dev}:${st.ino}`;
        present.add(key);
        await visit(name, key, Number(st.size), Number(st.mtimeMs));
      } catch (err) {
        // A full queue or a vanished file: the saved offset is where the next poll resumes.
        log.warn({ err, input: opts.id, file: name }, 'watched file not ingested yet; retrying at the next poll');
      }
    }
    let pruned = false;
    for (const key of Object.keys(state.files)) {
      if (!present.has(key)) {
        delete state.files[key];
        lastSeen.delete(key);
        pruned = true;
      }
    }
    if (pruned) await save().catch((err: unknown) => log.warn({ err, input: opts.id }, 'file input state not saved'));
  };

  let running: Promise<void> = Promise.resolve();
  const poll = (): Promise<void> => (running = running.then(scan));
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(schedule), pollMs);
  };
  void poll().finally(schedule);

  return {
    poll,
    close: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
