/**
 * Per-event state shared by every rule evaluated on that event: the Windows view (event_data,
 * channel, event id) and caches so each field is resolved and lower-cased once per event, not
 * once per rule. One context object is reused across a batch (reset per event) to avoid
 * per-event allocations.
 */
import { getField } from '../../schema/fields.js';

type Doc = Record<string, unknown>;

export const enum WinKind {
  None = 0,
  Other = 1,
  Security4688 = 2,
  Defender = 3,
}

/** Keys whose text duplicates the rest of the event; kept out of the literal prefilter scan. */
export const MESSAGE_KEYS: ReadonlySet<string> = new Set(['Message', 'message', 'event.original']);

export class EventCtx {
  event: Doc = {};
  /** winlog.event_data (nested Winlogbeat shape) or undefined for flat events */
  data: Doc | undefined;
  userData: Doc | undefined;
  winKind: WinKind = WinKind.None;
  private epoch = 0;
  private lowStamp = new Uint32Array(64);
  private lowVals: (string | undefined)[] = new Array<string | undefined>(64);
  private kw: string[] | undefined;
  private ts: number | undefined;

  reset(event: Doc): void {
    this.event = event;
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.lowStamp.fill(0);
      this.epoch = 1;
    }
    this.kw = undefined;
    this.ts = undefined;
    const w = event['winlog'];
    const winlog = w !== null && typeof w === 'object' ? (w as Doc) : undefined;
    const d = winlog?.['event_data'];
    this.data = d !== null && typeof d === 'object' ? (d as Doc) : undefined;
    const u = winlog?.['user_data'];
    this.userData = u !== null && typeof u === 'object' ? (u as Doc) : undefined;
    this.winKind = WinKind.None;
  }

  /** Lower-cased string form of a resolved field, cached per accessor id for this event. */
  lower(id: number, raw: unknown): string | undefined {
    if (id >= this.lowStamp.length) {
      const n = new Uint32Array(Math.max(id + 1, this.lowStamp.length * 2));
      n.set(this.lowStamp);
      this.lowStamp = n;
    }
    if (this.lowStamp[id] === this.epoch) return this.lowVals[id];
    const v = scalarString(raw)?.toLowerCase();
    this.lowStamp[id] = this.epoch;
    this.lowVals[id] = v;
    return v;
  }

  /** Every string value in the event, lower-cased: what keyword (field-less) searches scan. */
  keywordTexts(): string[] {
    if (this.kw) return this.kw;
    const out: string[] = [];
    collectStrings(this.event, out, 0);
    this.kw = out;
    return out;
  }

  /** Event time in ms since epoch, from `@timestamp` (or flat UtcTime/TimeCreated). */
  timestamp(): number | undefined {
    if (this.ts !== undefined) return Number.isNaN(this.ts) ? undefined : this.ts;
    const raw = this.event['@timestamp'] ?? getField(this.event, 'winlog.time_created') ?? this.event['UtcTime'];
    this.ts = parseTime(raw);
    return Number.isNaN(this.ts) ? undefined : this.ts;
  }
}

function collectStrings(v: unknown, out: string[], depth: number): void {
  if (depth > 16) return;
  if (typeof v === 'string') out.push(v.toLowerCase());
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out, depth + 1);
  else if (v !== null && typeof v === 'object') for (const k in v as Doc) collectStrings((v as Doc)[k], out, depth + 1);
}

/** Strings, numbers and booleans compare as text; objects and arrays do not. */
export function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

export function parseTime(raw: unknown): number {
  if (typeof raw === 'number') return raw > 1e12 ? raw : raw * 1000;
  if (typeof raw !== 'string') return NaN;
  // "2020-06-09 22:50:54.631" (Sysmon UtcTime) has no zone: it is UTC.
  const s = /^\d{4}-\d{2}-\d{2} \d/.test(raw) ? raw.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? '' : 'Z') : raw;
  return Date.parse(s);
}
