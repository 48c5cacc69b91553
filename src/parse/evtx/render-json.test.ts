import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { XElement } from './binxml.js';
import { readEvtx } from './read-evtx.js';
import { treeToJson } from './render-json.js';
import { evtxRecordToXml } from './to-xml.js';
import type { EvtxRecord } from './types.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');

const el = (name: string, children: XElement['children'] = [], attrs: XElement['attrs'] = []): XElement => ({ name, attrs, children });

describe('treeToJson follows the evtx_dump JSON conventions', () => {
  it('renders empty, text-only, attributed and repeated elements', () => {
    const root = el('Event', [
      el('Empty'),
      el('OnlyEmptyAttr', [], [{ name: 'UserID', parts: [null] }]),
      el('Num', [4688]),
      el('Text', ['a', 'b']),
      el('EventID', [7036], [{ name: 'Qualifiers', parts: [16384] }]),
      el('Header', ['x']),
      el('Header', ['y']),
      el('Header', ['z']),
    ]);
    expect(treeToJson(root)).toEqual({
      Event: {
        Empty: null,
        OnlyEmptyAttr: null,
        Num: 4688,
        Text: 'ab',
        EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7036 },
        Header: 'x',
        Header_1: 'y',
        Header_2: 'z',
      },
    });
  });

  it('flattens named Data and lists unnamed Data in EventData', () => {
    const named = el('EventData', [
      el('Data', ['v1'], [{ name: 'Name', parts: ['k1'] }]),
      el('Data', [null], [{ name: 'Name', parts: ['empty'] }]),
      el('Data', [42], [{ name: 'Name', parts: ['n'] }]),
    ]);
    expect(treeToJson(el('Event', [named]))).toEqual({ Event: { EventData: { k1: 'v1', empty: '', n: 42 } } });
    const unnamed = el('EventData', [el('Data', ['a']), el('Data', ['b'])]);
    expect(treeToJson(el('Event', [unnamed]))).toEqual({ Event: { EventData: { Data: { '#text': ['a', 'b'] } } } });
  });

  it('does not let a Data name reach the prototype', () => {
    const evil = el('EventData', [el('Data', ['x'], [{ name: 'Name', parts: ['__proto__'] }])]);
    const out = treeToJson(el('Event', [evil]));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(out.Event)).toBe(Object.prototype);
  });
});

function firstRecord(file: string, eventId: number): EvtxRecord {
  for (const r of readEvtx(readFileSync(resolve(DATA, 'evtx-attack-samples', file)))) {
    if (r.ok && r.value.event.Event.System?.EventID === eventId) return r.value;
  }
  throw new Error(`no EventID ${eventId} in ${file}`);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return `{${Object.keys(v).sort().join(',')}}`;
  return typeof v;
}

describe('same shape as real evtx_dump output', () => {
  it('System of a Sysmon 7 record has the keys and value kinds of the evtx_dump example', () => {
    const example = JSON.parse(readFileSync(resolve(DATA, 'evtx-dump-json-examples/sysmon-7.json'), 'utf8'));
    const ours = firstRecord('Defense Evasion/DE_BYOV_Zam64_CA_Memdump_sysmon_7_10.evtx', 7).event.Event;
    expect(Object.keys(ours.System!)).toEqual(Object.keys(example.Event.System));
    for (const [k, v] of Object.entries(example.Event.System)) expect([k, kind(ours.System![k])]).toEqual([k, kind(v)]);
    expect(ours['#attributes']).toEqual(example.Event['#attributes']);
    for (const k of ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'ImageLoaded', 'Hashes', 'Signed']) {
      expect([k, kind((ours.EventData as Record<string, unknown>)[k])]).toEqual([k, kind(example.Event.EventData[k])]);
    }
  });
});

describe('evtxRecordToXml', () => {
  it('renders System and EventData back as XML', () => {
    const rec = firstRecord('Defense Evasion/Win_4985_T1186_Process_Doppelganging.evtx', 4985);
    const xml = evtxRecordToXml(rec);
    expect(xml.startsWith('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">')).toBe(true);
    expect(xml).toContain('<EventID>4985</EventID>');
    expect(xml).toContain('<Provider Name="Microsoft-Windows-Security-Auditing" Guid="54849625-5478-4994-A5BA-3E3B0328C30D"/>');
    expect(xml).toContain('<Data Name="ProcessName">C:\\ProgramData\\proc_doppel64.exe</Data>');
    expect(xml).toContain('<Security/>');
    expect(xml.endsWith('</EventData></Event>')).toBe(true);
  });
});
