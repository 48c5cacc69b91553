/**
 * Any Windows event shape → one Winlogbeat-style ECS document, so that a Sigma rule or a search
 * written against `winlog.event_data.Image` or `process.executable` finds the event whichever
 * way it was collected.
 */
import type { RawEventDoc } from '../../schema/ecs.js';
import { fail, ok, type Parsed } from '../../schema/result.js';
import { classify, mapEcs, SYSMON_CHANNEL } from './ecs-map.js';
import { readWindowsShape, type WinEvent } from './shapes.js';

type Doc = Record<string, unknown>;

function isObj(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const NAIVE = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d{1,9})?)$/;

/**
 * ISO 8601 UTC. Already-UTC ISO text is kept as written (evtx keeps microseconds); a time with
 * an offset is converted; a time without any zone (NXLog `EventTime`, Sysmon `UtcTime`) is read
 * as UTC because nothing in the event says otherwise.
 */
export function toIsoUtc(s: string): string | undefined {
  const t = s.trim();
  if (ISO_UTC.test(t)) return t;
  const naive = NAIVE.exec(t);
  const ms = Date.parse(naive ? `${naive[1]}T${naive[2]!.slice(0, 12)}Z` : t);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString();
}

function datasetFor(channel: string): string {
  const ch = channel.toLowerCase();
  if (ch === SYSMON_CHANNEL) return 'windows.sysmon_operational';
  return `windows.${ch.replace(/^microsoft-windows-/, '').replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

function addRelated(doc: Doc, key: 'ip' | 'user' | 'hosts' | 'hash', value: unknown): void {
  if (typeof value !== 'string' || value === '' || value === '-') return;
  const related = (isObj(doc.related) ? doc.related : (doc.related = {})) as Record<string, string[]>;
  const list = (related[key] ??= []);
  if (!list.includes(value)) list.push(value);
}

function sub(doc: Doc, key: string): Doc | undefined {
  const v = doc[key];
  return isObj(v) ? v : undefined;
}

function fillRelated(doc: Doc): void {
  addRelated(doc, 'ip', sub(doc, 'source')?.ip);
  addRelated(doc, 'ip', sub(doc, 'destination')?.ip);
  const user = sub(doc, 'user');
  addRelated(doc, 'user', user?.name);
  addRelated(doc, 'user', isObj(user?.target) ? user.target.name : undefined);
  addRelated(doc, 'hosts', sub(doc, 'host')?.name);
  addRelated(doc, 'hosts', sub(doc, 'destination')?.domain);
  addRelated(doc, 'hosts', isObj(sub(doc, 'dns')?.question) ? (sub(doc, 'dns')!.question as Doc).name : undefined);
  for (const holder of [sub(doc, 'process'), sub(doc, 'file')]) {
    const hash = holder?.hash;
    if (isObj(hash)) for (const v of Object.values(hash)) addRelated(doc, 'hash', v);
  }
}

function build(ev: WinEvent, timestamp: string, eventId: number): Doc {
  const channel = ev.channel ?? '';
  const sysmon = channel.toLowerCase() === SYSMON_CHANNEL;
  const cls = classify(channel, eventId);
  const event: Doc = { kind: 'event', code: String(eventId), module: sysmon ? 'sysmon' : 'windows' };
  if (channel) event.dataset = datasetFor(channel);
  if (ev.providerName) event.provider = ev.providerName;
  if (cls) {
    event.category = [...cls.category];
    event.type = [...cls.type];
    event.action = cls.action;
    if (cls.outcome) event.outcome = cls.outcome;
  }
  const winlog: Doc = { event_id: eventId, event_data: { ...ev.eventData } };
  if (ev.channel !== undefined) winlog.channel = ev.channel;
  if (ev.providerName !== undefined) winlog.provider_name = ev.providerName;
  if (ev.providerGuid !== undefined) winlog.provider_guid = ev.providerGuid;
  if (ev.computer !== undefined) winlog.computer_name = ev.computer;
  if (ev.recordId !== undefined) winlog.record_id = ev.recordId;
  if (ev.pid !== undefined || ev.tid !== undefined) {
    const proc: Doc = {};
    if (ev.pid !== undefined) proc.pid = ev.pid;
    if (ev.tid !== undefined) proc.thread = { id: ev.tid };
    winlog.process = proc;
  }
  if (ev.userSid) winlog.user = { identifier: ev.userSid };
  if (ev.version !== undefined) winlog.version = ev.version;
  if (ev.userData !== undefined) winlog.user_data = ev.userData;

  const doc: Doc = { '@timestamp': timestamp, event, winlog };
  if (ev.computer) doc.host = { name: ev.computer };
  if (ev.message) doc.message = ev.message;
  mapEcs(doc, ev.channel, eventId, ev.eventData);
  fillRelated(doc);
  return doc;
}

/** `ours` wins; fields only the input had (agent.*, ecs.*, tags, ...) are kept. */
function overlay(base: Doc, ours: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(ours)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? overlay(b, v) : v;
  }
  return out;
}

/** Winlogbeat input may use flat dotted keys; turn the `winlog.*` ones into the nested form we rebuild. */
function withoutFlatWinlog(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('winlog.')) out[k] = v;
  return out;
}

export function normalizeWindows(doc: unknown): Parsed<RawEventDoc> {
  try {
    const read = readWindowsShape(doc);
    if (!read) return fail('not a recognised Windows event shape (evtx JSON, Winlogbeat or flat Sysmon/Security)');
    const { shape, event } = read;
    if (event.eventId === undefined) return fail(`${shape} Windows event without a usable EventID`);
    const ts = event.timestamp === undefined ? undefined : toIsoUtc(event.timestamp);
    if (!ts) return fail(`${shape} Windows event without a usable timestamp`);
    const ours = build(event, ts, event.eventId);
    if (shape === 'winlogbeat') return ok(overlay(withoutFlatWinlog(doc as Doc), ours));
    return ok(ours);
  } catch (e) {
    // Defensive: odd inputs (getters, huge nesting) must still come back as a reason.
    return fail(`windows normalize failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
