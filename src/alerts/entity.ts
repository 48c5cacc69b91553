import { getField } from '../schema/fields.js';
import type { DetectionRecord } from '../store/ports.js';

export interface Entity {
  type: string;
  value: string;
}

/** The entity type a field names: what analysts pivot on (host, user, ip...), else the field itself. */
export function entityTypeOf(field: string): string {
  const f = field.toLowerCase();
  if (f === 'host.name' || f === 'host.hostname' || f === 'winlog.computer_name' || f === 'observer.hostname')
    return 'host';
  if (f === 'user.name' || f.endsWith('.user.name') || f === 'user.target.name' || f === 'related.user')
    return 'user';
  if (f === 'ip' || f.endsWith('.ip') || f === 'related.ip') return 'ip';
  if (f === 'dns.question.name' || f.endsWith('.domain')) return 'domain';
  if (f.startsWith('process.')) return 'process';
  if (f.startsWith('file.')) return 'file';
  if (f.startsWith('registry.')) return 'registry';
  if (f === 'url.full' || f === 'url.original') return 'url';
  return field;
}

/** Hosts and domains are case-insensitive, so one spelling keeps one alert. */
export function normalizeValue(type: string, value: string): string {
  const v = value.trim();
  return type === 'host' || type === 'domain' || type === 'hash' ? v.toLowerCase() : v;
}

/** Fields tried in order for the entity of an event-based detection. */
const EVENT_ENTITY_FIELDS = [
  'host.name',
  'host.hostname',
  'winlog.computer_name',
  'user.name',
  'source.ip',
  'destination.ip',
  'client.ip',
];

const scalar = (v: unknown): string | undefined => {
  if (Array.isArray(v)) return scalar(v[0]);
  if (typeof v === 'string' && v.trim() !== '' && v !== '-') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
};

/**
 * What a detection is about, which with the rule is the dedup key: a correlation's group-by values,
 * a silent source's host, or the first of host/user/ip found in the detection's first event.
 */
export function entityOf(d: DetectionRecord, firstEvent: unknown): Entity | null {
  const group = d.details['group'];
  if (group && typeof group === 'object' && !Array.isArray(group)) {
    const entries = Object.entries(group as Record<string, unknown>)
      .map(([k, v]) => [k, scalar(v)] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined);
    if (entries.length === 1) {
      const [field, value] = entries[0]!;
      const type = entityTypeOf(field);
      return { type, value: normalizeValue(type, value) };
    }
    if (entries.length > 1) {
      return {
        type: entries.map(([k]) => entityTypeOf(k)).join('+'),
        value: entries.map(([, v]) => v).join(' | '),
      };
    }
  }
  if (d.kind === 'silent_source' || d.kind === 'source_resumed') {
    const host = scalar(d.details['host']);
    if (host) return { type: 'host', value: normalizeValue('host', host) };
    const input = scalar(d.details['input']);
    return input ? { type: 'input', value: input } : null;
  }
  for (const field of EVENT_ENTITY_FIELDS) {
    const v = scalar(getField(firstEvent, field));
    if (v) {
      const type = entityTypeOf(field);
      return { type, value: normalizeValue(type, v) };
    }
  }
  return null;
}

/** Field/value pairs a correlation grouped by: where tuning takes values from when there is no event. */
export function groupFields(d: unknown): Record<string, string> {
  const details = (d as { details?: Record<string, unknown> } | null)?.details;
  const group = details?.['group'];
  if (!group || typeof group !== 'object' || Array.isArray(group)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(group as Record<string, unknown>)) {
    const s = scalar(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
