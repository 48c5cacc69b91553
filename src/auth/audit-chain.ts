import { createHash } from 'node:crypto';
import type { AuditRecord, NewAudit } from '../store/ports.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: keys sorted at every level, so the hash does not depend on key order in storage. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash covers the sequence number, so a reordered or renumbered record breaks the chain too. */
export function hashAuditRecord(rec: Omit<AuditRecord, 'hash'>): string {
  const body = canonicalJson({
    seq: rec.seq,
    ts: rec.ts,
    actor: rec.actor,
    tenant: rec.tenant,
    action: rec.action,
    target: rec.target,
    ip: rec.ip,
    before: rec.before,
    after: rec.after,
  });
  return createHash('sha256').update(rec.prevHash).update('\n').update(body).digest('hex');
}

export type ChainVerdict =
  { ok: true; records: number } | { ok: false; records: number; seq: number; problem: string };

/** Walks the trail in order; reports the first record that was edited, removed or moved. */
export async function verifyAuditChain(records: AsyncIterable<AuditRecord>): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const rec of records) {
    count++;
    if (rec.seq !== expectedSeq) {
      return {
        ok: false,
        records: count,
        seq: rec.seq,
        problem: `expected record ${expectedSeq}, found ${rec.seq} (a record was removed or moved)`,
      };
    }
    if (rec.prevHash !== prevHash) {
      return {
        ok: false,
        records: count,
        seq: rec.seq,
        problem: 'previous-hash link broken (a record before it was changed, removed or moved)',
      };
    }
    const actual = hashAuditRecord(rec);
    if (actual !== rec.hash) {
      return {
        ok: false,
        records: count,
        seq: rec.seq,
        problem: 'content does not match its hash (the record was edited)',
      };
    }
    prevHash = rec.hash;
    expectedSeq++;
  }
  return { ok: true, records: count };
}

/**
 * The record that follows `last` in the chain, hashed. Shared by every audit adapter so that the
 * chain is built the same way whatever the store; values go through JSON so that what is hashed
 * is exactly what is stored and read back.
 */
export function nextAuditRecord(last: { seq: number; hash: string } | undefined, rec: NewAudit): AuditRecord {
  const base = {
    seq: (last?.seq ?? 0) + 1,
    ts: rec.ts ?? new Date().toISOString(),
    actor: rec.actor,
    tenant: rec.tenant ?? null,
    action: rec.action,
    target: rec.target ?? null,
    ip: rec.ip ?? null,
    before: rec.before === undefined ? null : (JSON.parse(JSON.stringify(rec.before ?? null)) as unknown),
    after: rec.after === undefined ? null : (JSON.parse(JSON.stringify(rec.after ?? null)) as unknown),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...base, hash: hashAuditRecord(base) };
}

/** Column values of a record, in the order seq, ts, actor, tenant, action, target, ip, before, after, prev_hash, hash. */
export function auditColumns(r: AuditRecord): unknown[] {
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  return [
    r.seq,
    r.ts,
    r.actor,
    r.tenant,
    r.action,
    r.target,
    r.ip,
    json(r.before),
    json(r.after),
    r.prevHash,
    r.hash,
  ];
}
