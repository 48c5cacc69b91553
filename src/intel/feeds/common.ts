import type { IndicatorInput, Severity, Tlp } from '../indicator.js';
import type { IntelObject } from '../ports.js';

/** Who an import is for and what to assume where the data says nothing. */
export interface ImportContext {
  tenant: string;
  source: string;
  feedId?: string;
  confidence?: number;
  severity?: Severity;
  tlp?: Tlp;
  validDays?: number;
  tags?: string[];
  now?: Date;
}

/** What one document of a feed yields; `rejected` says which entries were not usable and why. */
export interface ImportResult {
  indicators: IndicatorInput[];
  objects: IntelObject[];
  rejected: Array<{ ref: string; reason: string }>;
  /** entries deliberately not imported (MISP attributes without to_ids, unsupported types) */
  skipped: number;
}

export const emptyResult = (): ImportResult => ({ indicators: [], objects: [], rejected: [], skipped: 0 });

/** Defaults of the context applied to an input; explicit values of the input win. */
export function withDefaults(
  ctx: ImportContext,
  it: Omit<IndicatorInput, 'tenant' | 'source'>,
): IndicatorInput {
  const now = ctx.now ?? new Date();
  const validUntil =
    it.validUntil !== undefined
      ? it.validUntil
      : ctx.validDays !== undefined
        ? new Date(Date.parse(it.lastSeen ?? now.toISOString()) + ctx.validDays * 86_400_000).toISOString()
        : undefined;
  return {
    ...it,
    tenant: ctx.tenant,
    source: ctx.source,
    ...(ctx.feedId ? { feedId: ctx.feedId } : {}),
    confidence: it.confidence ?? ctx.confidence,
    severity: it.severity ?? ctx.severity,
    tlp: it.tlp ?? ctx.tlp,
    tags: [...new Set([...(ctx.tags ?? []), ...(it.tags ?? [])])],
    ...(validUntil !== undefined ? { validUntil } : {}),
  };
}

const ATTACK_ID = /\bT\d{4}(?:\.\d{3})?\b/;
/** An ATT&CK technique id inside a tag or reference, e.g. `misp-galaxy:mitre-attack-pattern="Phishing - T1566"`. */
export function attackIdIn(s: string): string | undefined {
  return ATTACK_ID.exec(s)?.[0];
}

export function tlpFromTag(tag: string): Tlp | undefined {
  const m = /^tlp:(clear|white|green|amber\+strict|amber|red)$/i.exec(tag.trim());
  if (!m) return undefined;
  const v = m[1]!.toLowerCase();
  return (v === 'white' ? 'clear' : v) as Tlp;
}
