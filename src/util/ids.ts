import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

// Random bytes are drawn in bulk: one randomFillSync per 4096 ids instead of a syscall per id,
// which made id generation the largest single cost of ingest.
const POOL_IDS = 4096;
const pool = Buffer.alloc(POOL_IDS * 10);
let poolPos = POOL_IDS;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Time-ordered unique id in the UUIDv7 layout (48-bit ms time, 74 random bits). */
export function newEventId(now = Date.now()): string {
  if (poolPos >= POOL_IDS) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const r = poolPos++ * 10;
  const t = Math.floor(now);
  const hi = Math.floor(t / 0x10000);
  const h = (hi >>> 0).toString(16).padStart(8, '0');
  const l = (t & 0xffff).toString(16).padStart(4, '0');
  const b = pool;
  return (
    h + '-' + l + '-7' + HEX[b[r]! & 0x0f]!.slice(1) + HEX[b[r + 1]!]! + '-' +
    HEX[(b[r + 2]! & 0x3f) | 0x80]! + HEX[b[r + 3]!]! + '-' +
    HEX[b[r + 4]!]! + HEX[b[r + 5]!]! + HEX[b[r + 6]!]! + HEX[b[r + 7]!]! + HEX[b[r + 8]!]! + HEX[b[r + 9]!]!
  );
}

export const newId = (): string => randomUUID();

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
