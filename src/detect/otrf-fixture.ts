/**
 * Reads OTRF Security-Datasets zips (JSON lines of flat Windows events) for tests and
 * benchmarks. Test support only: it shells out to `unzip -p`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const OTRF_WINDOWS = new URL('../../../shared/data/otrf/atomic/windows/', import.meta.url).pathname;

export function readOtrfZip(path: string): Record<string, unknown>[] {
  const buf = execFileSync('unzip', ['-p', path], { maxBuffer: 1 << 30 });
  const out: Record<string, unknown>[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    if (end > start + 1) {
      try {
        const v: unknown = JSON.parse(buf.toString('utf8', start, end));
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
      } catch {
        // a truncated last line in an archive is not an event
      }
    }
    start = end + 1;
  }
  return out;
}

export function otrfZips(dir = OTRF_WINDOWS): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (p.endsWith('.zip')) out.push(p);
  };
  walk(dir);
  return out;
}
