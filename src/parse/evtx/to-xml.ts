/**
 * A readable XML rendering of a parsed record, rebuilt from its evtx_dump-style JSON. It is for
 * display (analyst UI, exports), not a byte-exact copy of what Windows would render: EventData
 * entries come back as `<Data Name="k">v</Data>`, repeated-name suffixes (`_1`) are removed.
 */
import type { EvtxRecord, JsonValue } from './types.js';

function esc(s: string, attr: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;');
  return out;
}

function text(v: JsonValue): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function element(name: string, v: JsonValue, inData: boolean): string {
  const tag = name.replace(/_\d+$/, '');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    if (inData && tag !== 'Data') return `<Data Name="${esc(name, true)}">${esc(text(v), false)}</Data>`;
    const body = Array.isArray(v) ? v.map(text).join('') : text(v);
    return body === '' ? `<${tag}/>` : `<${tag}>${esc(body, false)}</${tag}>`;
  }
  let attrs = '';
  let inner = '';
  const container = tag === 'EventData' || tag === 'UserData';
  for (const [k, child] of Object.entries(v)) {
    if (k === '#attributes' && child && typeof child === 'object' && !Array.isArray(child)) {
      for (const [ak, av] of Object.entries(child)) attrs += ` ${ak}="${esc(text(av), true)}"`;
    } else if (k === '#text') {
      inner += Array.isArray(child) ? child.map((c) => `<Data>${esc(text(c), false)}</Data>`).join('') : esc(text(child), false);
    } else {
      inner += element(k, child, container);
    }
  }
  if (inData && tag !== 'Data') return `<Data Name="${esc(name, true)}">${inner}</Data>`;
  return inner === '' ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${inner}</${tag}>`;
}

export function evtxRecordToXml(record: EvtxRecord): string {
  return element('Event', record.event.Event as JsonValue, false);
}
