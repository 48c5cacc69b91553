/**
 * The shapes a Windows event arrives in, each read into one neutral `WinEvent`:
 * - `evtx`: our EvtxRecord or `evtx_dump -o json` output (`Event.System`, `Event.EventData`);
 * - `winlogbeat`: ECS documents with `winlog.*` (nested or flat dotted keys);
 * - `flat`: NXLog-style exports (OTRF/Mordor) with System fields and EventData names side by side
 *   at the top level (`EventID`, `Channel`, `Hostname`, `Image`, `CommandLine`, ...).
 */
import { getField } from '../../schema/fields.js';

export type WindowsShape = 'evtx' | 'winlogbeat' | 'flat';

export interface WinEvent {
  timestamp?: string;
  channel?: string;
  eventId?: number;
  providerName?: string;
  providerGuid?: string;
  computer?: string;
  recordId?: number;
  eventData: Record<string, string>;
  userData?: unknown;
  pid?: number;
  tid?: number;
  userSid?: string;
  version?: number;
  message?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The evtx_dump `Event` object of either our EvtxRecord or a bare evtx_dump document. */
function evtxEvent(doc: Obj): Obj | undefined {
  const direct = doc.Event;
  if (isObj(direct) && isObj(direct.System)) return direct;
  const wrapped = isObj(doc.event) ? doc.event.Event : undefined;
  if (isObj(wrapped) && isObj(wrapped.System)) return wrapped;
  return undefined;
}

export function detectWindowsShape(doc: unknown): WindowsShape | undefined {
  if (!isObj(doc)) return undefined;
  if (evtxEvent(doc)) return 'evtx';
  if (getField(doc, 'winlog.event_id') !== undefined || getField(doc, 'winlog.channel') !== undefined) return 'winlogbeat';
  if (doc.EventID !== undefined && (doc.Channel !== undefined || doc.SourceName !== undefined || doc.Hostname !== undefined || doc.ProviderName !== undefined)) {
    return 'flat';
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Integers arrive as numbers, decimal strings or hex strings ("0x1f4"). */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  const s = str(v)?.trim();
  if (!s) return undefined;
  if (/^0x[0-9a-f]+$/i.test(s)) {
    const n = parseInt(s, 16);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

const EVTX_GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/**
 * EventData values as Windows renders them (and Winlogbeat/NXLog export them): text. evtx_dump
 * writes GUID-typed values bare and upper-case, Windows writes `{lower-case}`; integers as numbers.
 */
function dataText(v: unknown): string | undefined {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return EVTX_GUID.test(v) ? `{${v.toLowerCase()}}` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => dataText(x) ?? '').join(',');
  return undefined;
}

function attr(el: unknown, name: string): unknown {
  return isObj(el) && isObj(el['#attributes']) ? el['#attributes'][name] : undefined;
}

function textOf(el: unknown): unknown {
  return isObj(el) ? el['#text'] : el;
}

function fromEvtx(ev: Obj): WinEvent {
  const sys = ev.System as Obj;
  const out: WinEvent = { eventData: {} };
  out.timestamp = str(attr(sys.TimeCreated, 'SystemTime'));
  out.channel = str(sys.Channel);
  out.eventId = int(textOf(sys.EventID));
  out.providerName = str(attr(sys.Provider, 'Name'));
  const guid = str(attr(sys.Provider, 'Guid'));
  if (guid) out.providerGuid = guid.startsWith('{') ? guid : `{${guid}}`;
  out.computer = str(sys.Computer);
  out.recordId = int(sys.EventRecordID);
  out.pid = int(attr(sys.Execution, 'ProcessID'));
  out.tid = int(attr(sys.Execution, 'ThreadID'));
  out.userSid = str(attr(sys.Security, 'UserID'));
  out.version = int(sys.Version);
  const ed = ev.EventData;
  if (isObj(ed)) {
    for (const [k, v] of Object.entries(ed)) {
      if (k === '#attributes') continue;
      if (k === 'Data' && isObj(v) && '#text' in v) {
        // Unnamed <Data> elements: Winlogbeat calls them param1, param2, ...
        const t = v['#text'];
        const list = Array.isArray(t) ? t : [t];
        list.forEach((x, i) => (out.eventData[`param${i + 1}`] = dataText(x) ?? JSON.stringify(x)));
        continue;
      }
      const text = dataText(v);
      out.eventData[k] = text ?? JSON.stringify(v);
    }
  }
  if (ev.UserData !== undefined && ev.UserData !== null) out.userData = ev.UserData;
  return out;
}

function fromWinlogbeat(doc: Obj): WinEvent {
  const g = (p: string): unknown => getField(doc, p);
  const out: WinEvent = { eventData: {} };
  out.timestamp = str(g('@timestamp'));
  out.channel = str(g('winlog.channel'));
  out.eventId = int(g('winlog.event_id')) ?? int(g('event.code'));
  out.providerName = str(g('winlog.provider_name')) ?? str(g('event.provider'));
  out.providerGuid = str(g('winlog.provider_guid'));
  out.computer = str(g('winlog.computer_name')) ?? str(g('host.name'));
  out.recordId = int(g('winlog.record_id'));
  out.pid = int(g('winlog.process.pid'));
  out.tid = int(g('winlog.process.thread.id'));
  out.userSid = str(g('winlog.user.identifier'));
  out.version = int(g('winlog.version'));
  out.message = str(g('message'));
  const ed = g('winlog.event_data');
  if (isObj(ed)) for (const [k, v] of Object.entries(ed)) out.eventData[k] = dataText(v) ?? JSON.stringify(v);
  // Flat dotted exports: "winlog.event_data.Image": "...".
  for (const [k, v] of Object.entries(doc)) {
    if (k.startsWith('winlog.event_data.')) out.eventData[k.slice(18)] = dataText(v) ?? JSON.stringify(v);
  }
  const ud = g('winlog.user_data');
  if (ud !== undefined) out.userData = ud;
  return out;
}

/**
 * Keys NXLog (im_msvistalog) and the OTRF Logstash pipeline add around the EventData fields.
 * Everything else at the top level of a flat event is EventData.
 */
const FLAT_METADATA = new Set([
  'EventID', 'EventId', 'RecordNumber', 'EventRecordID', 'ProviderGuid', 'SourceName', 'ProviderName', 'Provider', 'OpcodeValue',
  'EventTime', 'EventReceivedTime', 'TimeCreated', 'SystemTime', 'UserID', 'SeverityValue', 'Severity', 'Domain',
  'AccountName', 'AccountType', 'Category', 'Message', 'SourceModuleType', 'SourceModuleName', 'Channel',
  'ExecutionProcessID', 'ThreadID', 'Opcode', 'Task', 'Keywords', 'Version', 'Level', 'Hostname', 'Computer',
  'ComputerName', 'host', 'port', 'tags', '@version', '@timestamp', 'EventTypeOrignal', 'ActivityID',
  'RelatedActivityID', 'ERROR_EVT_UNRESOLVED', 'Qualifiers',
]);
/** NXLog's own EventType (a severity word) collides with Sysmon's registry EventType. */
const NXLOG_EVENT_TYPES = new Set(['INFO', 'WARNING', 'ERROR', 'CRITICAL', 'VERBOSE', 'AUDIT_SUCCESS', 'AUDIT_FAILURE']);

function fromFlat(doc: Obj): WinEvent {
  const out: WinEvent = { eventData: {} };
  out.timestamp = str(doc.TimeCreated) ?? str(doc.SystemTime) ?? str(doc['@timestamp']) ?? str(doc.EventTime) ?? str(doc.UtcTime);
  out.channel = str(doc.Channel);
  out.eventId = int(doc.EventID ?? doc.EventId);
  out.providerName = str(doc.SourceName) ?? str(doc.ProviderName) ?? str(doc.Provider);
  out.providerGuid = str(doc.ProviderGuid);
  out.computer = str(doc.Hostname) ?? str(doc.Computer) ?? str(doc.ComputerName);
  out.recordId = int(doc.RecordNumber ?? doc.EventRecordID);
  out.pid = int(doc.ExecutionProcessID);
  out.tid = int(doc.ThreadID);
  out.userSid = str(doc.UserID);
  out.version = int(doc.Version);
  out.message = str(doc.Message);
  for (const [k, v] of Object.entries(doc)) {
    if (FLAT_METADATA.has(k)) continue;
    if (k === 'EventType' && typeof v === 'string' && NXLOG_EVENT_TYPES.has(v)) continue;
    if (isObj(v)) continue;
    out.eventData[k] = dataText(v) ?? JSON.stringify(v);
  }
  // OTRF renamed Sysmon's EventType when it collided with NXLog's; give it its name back.
  if (typeof doc.EventTypeOrignal === 'string' && !NXLOG_EVENT_TYPES.has(doc.EventTypeOrignal)) out.eventData.EventType = doc.EventTypeOrignal;
  return out;
}

export function readWindowsShape(doc: unknown): { shape: WindowsShape; event: WinEvent } | undefined {
  if (!isObj(doc)) return undefined;
  const ev = evtxEvent(doc);
  if (ev) return { shape: 'evtx', event: fromEvtx(ev) };
  const shape = detectWindowsShape(doc);
  if (shape === 'winlogbeat') return { shape, event: fromWinlogbeat(doc) };
  if (shape === 'flat') return { shape, event: fromFlat(doc) };
  return undefined;
}
