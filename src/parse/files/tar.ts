import { type Parsed, ok, fail } from '../../schema/result.js';

/** Regular-file entries of a ustar/GNU tar held in memory (OTRF ships some datasets as .tar.gz). */
export interface TarEntry { name: string; data: Buffer }

export const isTar = (b: Buffer): boolean => b.length >= 263 && b.toString('latin1', 257, 262) === 'ustar';

function octal(b: Buffer, s: number, e: number): number {
  const t = b.toString('latin1', s, e).replace(/\0.*$/, '').trim();
  return /^[0-7]+$/.test(t) ? parseInt(t, 8) : NaN;
}

const cstr = (b: Buffer, s: number, e: number): string => {
  const z = b.indexOf(0, s);
  return b.toString('utf8', s, z === -1 || z > e ? e : z);
};

export function listTarEntries(buf: Buffer): Parsed<TarEntry[]> {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    if (buf[off] === 0) break; // end-of-archive blocks
    const size = octal(buf, off + 124, off + 136);
    if (Number.isNaN(size)) return fail(`tar: bad size field at offset ${off}`);
    const type = String.fromCharCode(buf[off + 156]!);
    const dataStart = off + 512;
    if (dataStart + size > buf.length) return fail(`tar: entry at offset ${off} runs past the end`);
    const data = buf.subarray(dataStart, dataStart + size);
    if (type === 'L') longName = cstr(data, 0, data.length);
    else if (type === '0' || type === '\0') {
      const prefix = cstr(buf, off + 345, off + 500);
      const name = longName ?? (prefix ? `${prefix}/${cstr(buf, off, off + 100)}` : cstr(buf, off, off + 100));
      longName = undefined;
      out.push({ name, data });
    } else if (type !== 'x' && type !== 'g') longName = undefined;
    off = dataStart + Math.ceil(size / 512) * 512;
  }
  return ok(out);
}
