import { inflateRawSync } from 'node:zlib';
import { type Parsed, ok, fail } from '../../schema/result.js';

/**
 * A small zip reader over the central directory: stored (0) and deflate (8) entries. Zip64 archives
 * (entries or archives over 4 GiB, or more than 65535 entries) and encrypted entries are refused
 * with a reason; an archive needs to be in memory.
 */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export const isZip = (b: Buffer): boolean =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));

export function listZipEntries(buf: Buffer): Parsed<ZipEntry[]> {
  const min = Math.max(0, buf.length - 22 - 65535);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) return fail('zip: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) return fail('zip: zip64 archives are not supported');
  if (cdOffset + cdSize > buf.length) return fail('zip: central directory lies past the end of the file');
  const entries: ZipEntry[] = [];
  let off = cdOffset;
  for (let i = 0; i < count; i++) {
    if (off + 46 > buf.length || buf.readUInt32LE(off) !== 0x02014b50) return fail(`zip: bad central directory entry ${i}`);
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    if (off + 46 + nameLen > buf.length) return fail(`zip: entry ${i} name runs past the end`);
    entries.push({
      flags: buf.readUInt16LE(off + 8),
      method: buf.readUInt16LE(off + 10),
      compressedSize: buf.readUInt32LE(off + 20),
      size: buf.readUInt32LE(off + 24),
      localHeaderOffset: buf.readUInt32LE(off + 42),
      name: buf.toString('utf8', off + 46, off + 46 + nameLen),
    });
    off += 46 + nameLen + extraLen + commentLen;
  }
  return ok(entries);
}

/** Decompresses one entry; `maxSize` guards against zip bombs (declared sizes are not trusted). */
export function extractZipEntry(buf: Buffer, e: ZipEntry, maxSize = 2 ** 31 - 1): Parsed<Buffer> {
  if (e.flags & 1) return fail(`zip: ${e.name} is encrypted`);
  if (e.compressedSize === 0xffffffff || e.size === 0xffffffff) return fail(`zip: ${e.name} needs zip64`);
  const lh = e.localHeaderOffset;
  if (lh + 30 > buf.length || buf.readUInt32LE(lh) !== 0x04034b50) return fail(`zip: ${e.name} has no local header`);
  const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
  const end = start + e.compressedSize;
  if (end > buf.length) return fail(`zip: ${e.name} data runs past the end of the archive`);
  const data = buf.subarray(start, end);
  if (e.method === 0) return ok(data);
  if (e.method !== 8) return fail(`zip: ${e.name} uses unsupported compression method ${e.method}`);
  try {
    return ok(inflateRawSync(data, { maxOutputLength: Math.min(maxSize, 2 ** 31 - 1) }));
  } catch (err) {
    return fail(`zip: ${e.name}: ${(err as Error).message}`);
  }
}
