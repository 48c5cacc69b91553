/**
 * EVTX file → records. Layout per libyal's "Windows XML Event Log (EVTX) format": a 4 KiB file
 * header, then 64 KiB chunks, each a 512-byte header followed by event records. Every problem is
 * reported as a reason for the record or chunk it affects and parsing goes on with the next one:
 * one torn chunk must not hide the rest of an attacker's log.
 */
import { crc32 } from 'node:zlib';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { ChunkBinXml } from './binxml.js';
import { treeToJson } from './render-json.js';
import type { EvtxEventJson, EvtxRecord } from './types.js';
import { EvtxFormatError, filetimeToIso, readU64 } from './values.js';

const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1');
const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');
const RECORD_MAGIC = 0x00002a2a;
const CHUNK_SIZE = 0x10000;
const CHUNK_HEADER_SIZE = 512;
const RECORD_HEADER_SIZE = 24;
const DEFAULT_HEADER_BLOCK = 4096;

export interface ReadEvtxOptions {
  /** Report chunk/header checksum mismatches as failures (records are still parsed). Default true. */
  verifyChecksums?: boolean;
}

function isZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

function describe(e: unknown): string {
  if (e instanceof EvtxFormatError) return e.message;
  if (e instanceof RangeError) return `truncated or out-of-range data (${e.message})`;
  return e instanceof Error ? e.message : String(e);
}

/** Parses every record of an in-memory `.evtx` file, yielding a record or a reason for each. */
export function* readEvtx(buf: Buffer, options: ReadEvtxOptions = {}): Generator<Parsed<EvtxRecord>> {
  const verify = options.verifyChecksums ?? true;
  let headerBlock = DEFAULT_HEADER_BLOCK;
  let declaredChunks = 0;
  if (buf.length < 128 || !buf.subarray(0, 8).equals(FILE_MAGIC)) {
    yield fail('file header: missing ElfFile signature');
  } else {
    const declared = buf.readUInt16LE(40);
    // Trust the header block size only when it is sane; the chunks follow it.
    if (declared >= 128 && declared <= DEFAULT_HEADER_BLOCK) headerBlock = declared;
    if (verify && crc32(buf.subarray(0, 120)) !== buf.readUInt32LE(124)) yield fail('file header: checksum mismatch');
    declaredChunks = buf.readUInt16LE(42);
  }
  // Chunks are walked by position, not by the declared count: a dirty file may hold more than it
  // says. Fewer than declared means the file was cut short.
  const present = Math.max(0, Math.ceil((buf.length - headerBlock) / CHUNK_SIZE));
  if (declaredChunks > present) yield fail(`file header declares ${declaredChunks} chunks, file holds ${present}`);
  for (let chunkNo = 0, base = headerBlock; base < buf.length; chunkNo++, base += CHUNK_SIZE) {
    yield* readChunk(buf, base, chunkNo, verify);
  }
}

function* readChunk(buf: Buffer, base: number, chunkNo: number, verify: boolean): Generator<Parsed<EvtxRecord>> {
  const end = Math.min(buf.length, base + CHUNK_SIZE);
  const where = `chunk ${chunkNo}`;
  if (end - base < CHUNK_HEADER_SIZE) {
    if (!isZero(buf, base, end)) yield fail(`${where}: truncated chunk header (${end - base} bytes)`);
    return;
  }
  if (!buf.subarray(base, base + 8).equals(CHUNK_MAGIC)) {
    // Preallocated, never-written chunks are all zeros: nothing to report.
    if (!isZero(buf, base, Math.min(end, base + CHUNK_HEADER_SIZE))) yield fail(`${where}: missing ElfChnk signature`);
    return;
  }
  const freeSpace = buf.readUInt32LE(base + 48);
  const recordsEnd = Math.min(end, base + (freeSpace >= CHUNK_HEADER_SIZE && freeSpace <= CHUNK_SIZE ? freeSpace : CHUNK_SIZE));
  if (verify) {
    const headerCrc = crc32(buf.subarray(base + 128, base + CHUNK_HEADER_SIZE), crc32(buf.subarray(base, base + 120)));
    if (headerCrc !== buf.readUInt32LE(base + 124)) yield fail(`${where}: header checksum mismatch`);
    else if (crc32(buf.subarray(base + CHUNK_HEADER_SIZE, recordsEnd)) !== buf.readUInt32LE(base + 52)) {
      yield fail(`${where}: records checksum mismatch`);
    }
  }
  if (end - base < CHUNK_SIZE) yield fail(`${where}: truncated (${end - base} of ${CHUNK_SIZE} bytes)`);

  const binxml = new ChunkBinXml(buf, base, end);
  let pos = base + CHUNK_HEADER_SIZE;
  while (pos + RECORD_HEADER_SIZE <= recordsEnd) {
    const at = `${where} record at 0x${(pos - base).toString(16)}`;
    if (buf.readUInt32LE(pos) !== RECORD_MAGIC) {
      if (isZero(buf, pos, recordsEnd)) return;
      yield fail(`${at}: missing record signature`);
      // Records are 8-byte aligned: resynchronise on the next signature.
      pos = nextSignature(buf, pos + 8, recordsEnd);
      continue;
    }
    const size = buf.readUInt32LE(pos + 4);
    if (size < RECORD_HEADER_SIZE + 4 || pos + size > end) {
      yield fail(`${at}: bad record size ${size}`);
      pos = nextSignature(buf, pos + 8, recordsEnd);
      continue;
    }
    const recordId = readU64(buf, pos + 8);
    if (buf.readUInt32LE(pos + size - 4) !== size) {
      yield fail(`${at} (id ${recordId}): size copy mismatch`);
      pos = nextSignature(buf, pos + 8, recordsEnd);
      continue;
    }
    try {
      const root = binxml.parseRecord(pos + RECORD_HEADER_SIZE, pos + size - 4);
      yield ok({
        recordId: typeof recordId === 'number' ? recordId : Number(recordId),
        timestamp: filetimeToIso(buf, pos + 16),
        event: treeToJson(root) as unknown as EvtxEventJson,
      });
    } catch (e) {
      yield fail(`${at} (id ${recordId}): ${describe(e)}`);
    }
    pos += size;
  }
}

function nextSignature(buf: Buffer, from: number, end: number): number {
  for (let p = from + ((8 - ((from - 0) & 7)) & 7); p + RECORD_HEADER_SIZE <= end; p += 8) {
    if (buf.readUInt32LE(p) === RECORD_MAGIC) return p;
  }
  return end;
}
