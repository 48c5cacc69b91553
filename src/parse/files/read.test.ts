import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync, deflateRawSync } from 'node:zlib';
import { readEventFile, readEventFileBatches, type FileItem, type ReadOptions } from './index.js';
import { getField } from '../../schema/fields.js';
import { ok as okResult } from '../../schema/result.js';

const DATA = '/work/shared/data';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string, opts?: ReadOptions): Promise<FileItem[]> {
  const out: FileItem[] = [];
  for await (const i of readEventFile(path, opts)) out.push(i);
  return out;
}
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
const docs = (items: FileItem[]) => items.flatMap((i) => (i.ok ? [i.doc] : []));
const fails = (items: FileItem[]) => items.flatMap((i) => (i.ok ? [] : [i]));

/** A zip archive written by hand (CRC left 0: the reader does not check it). */
function zip(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(e.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const NDJSON = [
  '{"timestamp":"2021-01-01T00:00:00Z","msg":"first"}',
  '',
  '{"broken": ',
  '{"time":1609459200,"msg":"third"}\r',
  '[1,2]',
  '{"EventTime":"2021-01-01 10:00:00","msg":"fifth"}',
].join('\n');

describe('readEventFile: NDJSON, gzip, zip', () => {
  it('keeps going after a bad line and tells its line number', async () => {
    const items = await all(file('a.jsonl', NDJSON));
    expect(items.length).toBe(5);
    const bad = fails(items);
    expect(bad.map((b) => b.source.line)).toEqual([3, 5]);
    expect(bad[0]!.raw).toBe('{"broken": ');
    expect(bad[0]!.reason).toMatch(/invalid JSON/);
    const good = docs(items);
    expect(good.map((d) => d['@timestamp'])).toEqual(['2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z', '2021-01-01T10:00:00.000Z']);
    expect(getField(good[0], 'event.original')).toBe('{"timestamp":"2021-01-01T00:00:00Z","msg":"first"}');
    expect(items.filter((i) => i.ok).map((i) => i.source.line)).toEqual([1, 4, 6]);
  });

  it('reads the same from a gzip file, whatever its name', async () => {
    const plain = await all(file('b.jsonl', NDJSON));
    const gz = await all(file('b.data', gzipSync(Buffer.from(NDJSON))));
    expect(gz.map((i) => (i.ok ? i.doc : i.reason))).toEqual(plain.map((i) => (i.ok ? i.doc : i.reason)));
  });

  it('reads every entry of a zip (stored and deflated), gz inside zip, and skips a nested zip with a reason', async () => {
    const inner = zip([{ name: 'x.json', data: Buffer.from('{"a":1}\n') }]);
    const p = file('c.zip', zip([
      { name: 'dir/', data: Buffer.alloc(0) },
      { name: 'one.json', data: Buffer.from('{"ts_x":1,"msg":"stored"}\n{"msg":"stored2"}\n') },
      { name: 'two.csv', data: Buffer.from('time,msg\n2021-02-03T04:05:06Z,"deflated, csv"\n'), deflate: true },
      { name: 'three.json.gz', data: gzipSync('{"msg":"gz in zip"}\n'), deflate: true },
      { name: 'four.zip', data: inner },
    ]));
    const items = await all(p);
    const good = docs(items);
    expect(good.map((d) => d.msg)).toEqual(['stored', 'stored2', 'deflated, csv', 'gz in zip']);
    expect(items.find((i) => i.ok && i.doc.msg === 'deflated, csv')!.source).toEqual({ file: p, entry: 'two.csv', line: 2 });
    expect(good[2]!['@timestamp']).toBe('2021-02-03T04:05:06.000Z');
    const bad = fails(items);
    expect(bad.length).toBe(1);
    expect(bad[0]!.source.entry).toBe('four.zip');
    expect(bad[0]!.reason).toMatch(/nested archive/);
  });

  it('reads the files of a tar.gz (entry names kept)', async () => {
    const entry = (name: string, data: string): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write(Buffer.byteLength(data).toString(8).padStart(11, '0'), 124);
      h.write('0', 156);
      h.write('ustar\0', 257, 'latin1');
      h.write('00', 263);
      const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
      body.write(data);
      return Buffer.concat([h, body]);
    };
    const tar = Buffer.concat([entry('a.json', '{"msg":"a1"}\n{"msg":"a2"}\n'), entry('b.csv', 'msg,x\nb1,2\n'), Buffer.alloc(1024)]);
    const items = await all(file('t.tar.gz', gzipSync(tar)));
    expect(items.map((i) => (i.ok ? [i.source.entry, i.doc.msg] : i.reason))).toEqual([['a.json', 'a1'], ['a.json', 'a2'], ['b.csv', 'b1']]);
  });

  it('reads an OTRF zip: as many events as JSON lines (unzip -p | grep -c . → 6202)', async () => {
    const items = await all(`${DATA}/otrf/atomic/windows/collection/host/msf_record_mic.zip`);
    expect(items.length).toBe(6202);
    expect(items.every((i) => i.ok)).toBe(true);
    // unzip -p ... | grep -c '"EventID":1,' → 12 Sysmon process creations.
    expect(docs(items).filter((d) => d.EventID === 1).length).toBe(12);
  });

  it('yields batches no larger than asked', async () => {
    const p = file('many.jsonl', Array.from({ length: 2500 }, (_, i) => `{"n":${i}}`).join('\n'));
    const sizes: number[] = [];
    let seen = 0;
    for await (const b of readEventFileBatches(p, {}, 1000)) {
      sizes.push(b.length);
      for (const i of b) if (i.ok) expect(i.doc.n).toBe(seen++);
    }
    expect(sizes).toEqual([1000, 1000, 500]);
  });
});

describe('readEventFile: kinds of JSON documents', () => {
  it('reads evtx_dump pretty-printed values back to back and hands Windows shapes to the hook', async () => {
    const a = readFileSync(`${DATA}/evtx-dump-json-examples/sysmon-7.json`, 'utf8');
    const b = readFileSync(`${DATA}/evtx-dump-json-examples/security-4699.json`, 'utf8');
    const p = file('both.json', `${a.trimEnd()}\n${b}`);
    const seen: unknown[] = [];
    const windows = (doc: unknown) => {
      seen.push(doc);
      return okResult({ winlog: { event_id: getField(doc, 'Event.System.EventID') } });
    };
    const items = await all(p, { hooks: { windows } });
    expect(items.length).toBe(2);
    expect(seen.length).toBe(2);
    expect(docs(items).map((d) => getField(d, 'winlog.event_id'))).toEqual([7, 4701]);
    expect(items[1]!.source.line).toBe(a.trimEnd().split('\n').length + 1);
    // Without the hook the document passes through with its time taken from System.TimeCreated.
    const plain = docs(await all(`${DATA}/evtx-dump-json-examples/sysmon-7.json`));
    expect(plain[0]!['@timestamp']).toBe('2025-11-27T07:40:10.165Z');
    expect(getField(plain[0], 'Event.EventData.Image')).toBe('C:\\Windows\\System32\\WerFaultSecure.exe');
  });

  it('reads a JSON array, routes EVE and Zeek records and keeps ECS documents as they are', async () => {
    const arr = [
      { timestamp: '2019-01-01T00:00:00.000000+0000', event_type: 'alert', src_ip: '1.1.1.1', dest_ip: '2.2.2.2', proto: 'TCP', alert: { signature_id: 7, signature: 'x', severity: 2 } },
      { _path: 'dns', ts: 1521911720.865716, uid: 'C1', 'id.orig_h': '10.0.0.1', query: 'a.example' },
      { '@timestamp': '2020-01-01T00:00:00Z', event: { kind: 'event' }, host: { name: 'h' } },
      { EventID: 4624, Channel: 'Security', TimeCreated: '2020-01-01T00:00:01Z' },
    ];
    const items = await all(file('arr.json', JSON.stringify(arr, null, 1)));
    const d = docs(items);
    expect(d.length).toBe(4);
    expect(getField(d[0], 'event.kind')).toBe('alert');
    expect(getField(d[0], 'rule.id')).toBe('7');
    expect(getField(d[1], 'event.dataset')).toBe('zeek.dns');
    expect(getField(d[1], 'dns.question.name')).toBe('a.example');
    expect(d[2]).toEqual(arr[2]);
    expect(d[3]!['@timestamp']).toBe('2020-01-01T00:00:01.000Z');
  });

  it('turns a throwing Windows hook into a failure item and goes on', async () => {
    const p = file('w.jsonl', '{"EventID":1,"Channel":"Security"}\n{"EventID":2,"Channel":"Security"}\n');
    const items = await all(p, { hooks: { windows: (d) => { if ((d as { EventID: number }).EventID === 1) throw new Error('boom'); return okResult({ n: 2 }); } } });
    expect(items.map((i) => (i.ok ? i.doc.n : i.reason))).toEqual(['windows normalizer threw: boom', 2]);
  });

  it('reads Suricata EVE NDJSON', async () => {
    const line = '{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"dns","src_ip":"10.0.0.5","dest_ip":"8.8.8.8","proto":"UDP","community_id":"1:abc","dns":{"type":"query","rrname":"x.example","rrtype":"A"}}';
    const d = docs(await all(file('eve.json', `${line}\n${line}\n`)));
    expect(d.length).toBe(2);
    expect(getField(d[0], 'event.module')).toBe('suricata');
    expect(getField(d[0], 'dns.question.name')).toBe('x.example');
    expect(getField(d[0], 'network.community_id')).toBe('1:abc');
    expect(getField(d[0], 'event.original')).toBe(line);
  });

  it('reads CSV with flat Windows fields through the Windows hook', async () => {
    const csv = 'EventID,Channel,CommandLine\r\n1,Microsoft-Windows-Sysmon/Operational,"cmd.exe /c ""echo, hi"""\r\n';
    const seen: unknown[] = [];
    const d = docs(await all(file('win.csv', csv), { hooks: { windows: (x) => (seen.push(x), okResult({ ok: 1 })) } }));
    expect(d.length).toBe(1);
    expect(seen).toEqual([{ EventID: '1', Channel: 'Microsoft-Windows-Sysmon/Operational', CommandLine: 'cmd.exe /c "echo, hi"' }]);
  });
});

describe('readEventFile: Zeek files', () => {
  it('reads gzipped TSV and JSON of the same log to the same documents (except event.original)', async () => {
    const tsv = await all(`${DATA}/zeek-wrccdc2018/zeek-default/ssh.log.gz`);
    const json = await all(`${DATA}/zeek-wrccdc2018/zeek-json/ssh.json.gz`);
    const dataLines = gunzipSync(readFileSync(`${DATA}/zeek-wrccdc2018/zeek-default/ssh.log.gz`)).toString().split('\n').filter((l) => l && !l.startsWith('#'));
    expect(tsv.length).toBe(dataLines.length);
    const strip = (i: FileItem) => {
      if (!i.ok) return i.reason;
      const { event, ...rest } = i.doc as { event: Record<string, unknown> };
      const { original: _o, ...ev } = event;
      return { ...rest, event: ev };
    };
    expect(tsv.map(strip)).toEqual(json.map(strip));
    expect(getField(docs(tsv)[0], 'event.original')).toBe(dataLines[0]);
  });

  it('takes the log type from the file name when a JSON record lacks _path', async () => {
    const d = docs(await all(file('NASHUA_conn.log', '{"ts":1588205199.82437,"uid":"C1","id.orig_h":"10.0.1.6","id.resp_h":"10.0.0.4","proto":"udp"}\n')));
    expect(getField(d[0], 'event.dataset')).toBe('zeek.conn');
  });
});

describe('readEventFile: binary and broken input', () => {
  it('hands EVTX to the hook, and says so when no hook is wired', async () => {
    const p = `${DATA}/evtx-attack-samples/Command and Control/DE_RDP_Tunnel_5156.evtx`;
    const none = await all(p);
    expect(none.length).toBe(1);
    expect(none[0]!.ok).toBe(false);
    let magic = '';
    const items = await all(p, {
      hooks: {
        evtx: (buf) => {
          magic = buf.toString('latin1', 0, 7);
          return [okResult({ Event: { System: { EventID: 5156, Channel: 'Security' } } }), { ok: false, reason: 'bad chunk' }];
        },
      },
    });
    expect(magic).toBe('ElfFile');
    expect(items.length).toBe(2);
    expect(items[0]!.ok && getField(items[0]!.doc, 'Event.System.EventID')).toBe(5156);
    expect(!items[1]!.ok && items[1]!.reason).toBe('bad chunk');
  });

  it('reads a pcap into flows and DNS events', async () => {
    const d = docs(await all(`${DATA}/evtx-attack-samples/Command and Control/cmds over dns txt queries and reponses.pcap`));
    expect(d.filter((x) => getField(x, 'event.dataset') === 'pcap.dns').length).toBe(199);
    expect(d.filter((x) => getField(x, 'event.dataset') === 'pcap.flow' && getField(x, 'network.transport') === 'udp').length).toBe(109);
  });

  it('gives one failure for a missing file, a directory, or an unrecognized format', async () => {
    for (const p of [join(dir, 'nope'), dir, file('bin.dat', Buffer.from([1, 2, 3, 0, 0, 9]))]) {
      const items = await all(p);
      expect(items.length).toBe(1);
      expect(items[0]!.ok).toBe(false);
    }
    expect(await all(file('empty.json', ''))).toEqual([]);
  });

  it('reports a corrupt gzip instead of throwing', async () => {
    const gz = gzipSync(Buffer.from(NDJSON));
    const items = await all(file('bad.gz', gz.subarray(0, gz.length - 12)));
    expect(items.some((i) => !i.ok)).toBe(true);
  });

  it('never throws on random or mutated files', async () => {
    const seeds = [Buffer.from(NDJSON), gzipSync(Buffer.from(NDJSON)), zip([{ name: 'a.json', data: Buffer.from(NDJSON), deflate: true }]), Buffer.from('a,b\n1,"2\n')];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), async (seed, muts, cut) => {
        const b = Buffer.from(seed);
        for (const [pos, v] of muts) b[pos % b.length] = v;
        const items = await all(file('fuzz.bin', b.subarray(0, b.length - (cut % 8))));
        expect(items.every((i) => typeof i.ok === 'boolean')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
