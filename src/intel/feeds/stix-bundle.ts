/**
 * STIX 2.1 bundles → indicators and context. Indicators keep their pattern (`stix` type, matched
 * by the pattern engine); malware, threat actors, intrusion sets, reports, attack patterns,
 * observables and relationships are kept as context objects. ATT&CK techniques come from the
 * indicator's own external references and from `indicates` relationships to attack patterns.
 */
import { fail, ok, type Parsed } from '../../schema/result.js';
import { normalizeValue, type Tlp } from '../indicator.js';
import type { IntelObject } from '../ports.js';
import { attackIdIn, emptyResult, withDefaults, type ImportContext, type ImportResult } from './common.js';

/** The TLP marking definitions STIX 2.1 predefines (spec §7.2.1.4). */
const TLP_MARKINGS: Record<string, Tlp> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function attackIds(o: Obj): string[] {
  const refs = Array.isArray(o.external_references) ? (o.external_references as Obj[]) : [];
  return refs
    .filter((r) => typeof r === 'object' && r !== null && /mitre-attack/i.test(str(r.source_name) ?? ''))
    .map((r) => str(r.external_id) ?? '')
    .map((id) => attackIdIn(id))
    .filter((x): x is string => x !== undefined);
}

/** Objects of a bundle, a bare list (TAXII envelopes carry `objects` too) or a single object. */
export function stixObjects(doc: unknown): Parsed<Obj[]> {
  if (Array.isArray(doc)) return ok(doc.filter((o): o is Obj => typeof o === 'object' && o !== null));
  if (typeof doc !== 'object' || doc === null) return fail('not a STIX bundle: expected a JSON object');
  const d = doc as Obj;
  if (Array.isArray(d.objects))
    return ok((d.objects as unknown[]).filter((o): o is Obj => typeof o === 'object' && o !== null));
  if (typeof d.type === 'string' && typeof d.id === 'string') return ok([d]);
  return fail('not a STIX bundle: no "objects" list');
}

export function importStix(doc: unknown, ctx: ImportContext): Parsed<ImportResult> {
  const objs = stixObjects(doc);
  if (!objs.ok) return objs;
  const out = emptyResult();
  const now = ctx.now ?? new Date();
  const byId = new Map<string, Obj>();
  for (const o of objs.value) if (typeof o.id === 'string') byId.set(o.id, o);
  const markingTlp = (id: string): Tlp | undefined => {
    if (TLP_MARKINGS[id]) return TLP_MARKINGS[id];
    const m = byId.get(id);
    const def = m?.definition as Obj | undefined;
    const t = str(def?.tlp) ?? str(m?.name)?.replace(/^TLP:/i, '');
    if (!t) return undefined;
    const v = t.toLowerCase();
    return (['clear', 'green', 'amber', 'amber+strict', 'red'] as string[]).includes(v)
      ? (v as Tlp)
      : v === 'white'
        ? 'clear'
        : undefined;
  };
  // indicator id → techniques of the attack patterns it indicates
  const indicates = new Map<string, string[]>();
  for (const o of objs.value) {
    if (o.type !== 'relationship' || o.relationship_type !== 'indicates') continue;
    const src = str(o.source_ref);
    const target = byId.get(str(o.target_ref) ?? '');
    if (!src || !target || target.type !== 'attack-pattern') continue;
    indicates.set(src, [...(indicates.get(src) ?? []), ...attackIds(target)]);
  }
  // indicator id → names of reports that reference it
  const reports = new Map<string, string[]>();
  for (const o of objs.value)
    if (o.type === 'report')
      for (const ref of strs(o.object_refs))
        reports.set(ref, [...(reports.get(ref) ?? []), str(o.name) ?? str(o.id)!]);

  for (const o of objs.value) {
    const id = str(o.id) ?? '(no id)';
    if (o.type !== 'indicator') {
      if (o.type === 'bundle' || typeof o.type !== 'string' || typeof o.id !== 'string') continue;
      const obj: IntelObject = {
        id: o.id,
        tenant: ctx.tenant,
        type: o.type,
        name: str(o.name) ?? str(o.value) ?? null,
        feedId: ctx.feedId ?? null,
        modified: str(o.modified) ?? str(o.created) ?? null,
        doc: o,
      };
      out.objects.push(obj);
      continue;
    }
    const patternType = str(o.pattern_type) ?? 'stix';
    if (patternType !== 'stix') {
      out.skipped++;
      continue;
    }
    const pattern = str(o.pattern);
    if (!pattern) {
      out.rejected.push({ ref: id, reason: 'indicator without a pattern' });
      continue;
    }
    const v = normalizeValue('stix', pattern);
    if (!v.ok) {
      out.rejected.push({ ref: id, reason: v.reason });
      continue;
    }
    const tlp = strs(o.object_marking_refs)
      .map(markingTlp)
      .find((t) => t !== undefined);
    const revoked = o.revoked === true;
    const confidence =
      typeof o.confidence === 'number' ? Math.max(0, Math.min(100, o.confidence)) : undefined;
    const reportNames = reports.get(id) ?? [];
    out.indicators.push(
      withDefaults(ctx, {
        type: 'stix',
        value: v.value,
        externalId: id,
        name: str(o.name),
        description: str(o.description),
        confidence,
        tlp,
        firstSeen: str(o.valid_from) ?? str(o.created),
        lastSeen: str(o.modified) ?? str(o.created),
        validUntil: revoked ? now.toISOString() : str(o.valid_until),
        tags: [...strs(o.labels), ...strs(o.indicator_types), ...reportNames.map((r) => `report:${r}`)],
        attack: [...new Set([...attackIds(o), ...(indicates.get(id) ?? [])])],
      }),
    );
  }
  return ok(out);
}
