import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEvtx } from './read-evtx.js';
import { decodeScalar, filetimeToIso, VT } from './values.js';

const SAMPLES = resolve(import.meta.dirname, '../../../../shared/data/evtx-attack-samples');
const DOPPEL = readFileSync(resolve(SAMPLES, 'Defense Evasion/Win_4985_T1186_Process_Doppelganging.evtx'));
const PANACHE = readFileSync(resolve(SAMPLES, 'AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx'));

function all(buf: Buffer) {
  const ok = [];
  const reasons: string[] = [];
  for (const r of readEvtx(buf)) {
    if (r.ok) ok.push(r.value);
    else reasons.push(r.reason);
  }
  return { ok, reasons };
}

describe('readEvtx on a real file', () => {
  // Expected values read from `evtx_dump.py` (python3-evtx) output for this file.
  it('decodes the two 4985 records of the process doppelganging sample', () => {
    const { ok, reasons } = all(DOPPEL);
    expect(reasons).toEqual([]);
    expect(ok).toHaveLength(2);
    const first = ok[0]!.event.Event;
    expect(first['#attributes']?.xmlns).toBe('http://schemas.microsoft.com/win/2004/08/events/event');
    const sys = first.System!;
    expect(sys.EventID).toBe(4985);
    expect(sys.Channel).toBe('Security');
    expect(sys.Computer).toBe('MSEDGEWIN10');
    expect(sys.EventRecordID).toBe(12294);
    expect(sys.TimeCreated?.['#attributes']?.SystemTime).toBe('2019-08-14T14:06:44.495674Z');
    expect(sys.Provider).toEqual({ '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' } });
    expect(sys.Execution).toEqual({ '#attributes': { ProcessID: 4, ThreadID: 6700 } });
    // Optional substitutions left empty drop the attribute; the empty element renders null.
    expect(sys.Security).toBeNull();
    expect(sys.Correlation).toBeNull();
    expect(first.EventData).toMatchObject({
      SubjectUserSid: 'S-1-5-21-3461203602-4096304019-2269080069-1000',
      SubjectUserName: 'IEUser',
      SubjectLogonId: '0x342ba',
      TransactionId: '9C655E9C-BE8F-11E9-B49D-080027E6E559',
      NewState: 48,
      ProcessId: '0x14c8',
      ProcessName: 'C:\\ProgramData\\proc_doppel64.exe',
    });
    expect(ok[1]!.event.Event.EventData).toMatchObject({ NewState: 56 });
    expect(ok.map((r) => r.recordId)).toEqual([1, 2]);
    expect(ok[0]!.timestamp).toMatch(/^2019-08-14T14:06:44\.\d{6}Z$/);
  });

  it('keeps parsing later chunks when one chunk is damaged', () => {
    const whole = all(PANACHE);
    expect(whole.reasons).toEqual([]);
    expect(whole.ok.length).toBeGreaterThan(100);
    const chunk0Ids = new Set<number>();
    for (const r of all(PANACHE.subarray(0, 4096 + 65536)).ok) chunk0Ids.add(r.recordId);
    const damaged = Buffer.from(PANACHE);
    damaged.write('XXXXXXXX', 4096, 'latin1');
    const after = all(damaged);
    expect(after.reasons.some((r) => r.startsWith('chunk 0') && r.includes('signature'))).toBe(true);
    expect(after.ok.length).toBe(whole.ok.length - chunk0Ids.size);
  });

  it('reports a truncated file per record instead of throwing', () => {
    const cut = all(PANACHE.subarray(0, 4096 + 65536 + 20_000));
    expect(cut.ok.length).toBeGreaterThan(0);
    expect(cut.reasons.some((r) => r.includes('truncated'))).toBe(true);
  });

  it('refuses non-EVTX input with a reason', () => {
    expect(all(Buffer.alloc(0)).reasons[0]).toMatch(/ElfFile/);
    expect(all(Buffer.from('hello world, not an event log')).reasons[0]).toMatch(/ElfFile/);
  });

  it('flags a file header checksum mismatch but still reads the records', () => {
    const bad = Buffer.from(DOPPEL);
    bad.writeUInt32LE((bad.readUInt32LE(124) ^ 1) >>> 0, 124);
    const res = all(bad);
    expect(res.reasons).toContain('file header: checksum mismatch');
    expect(res.ok).toHaveLength(2);
  });
});

describe('value decoding', () => {
  it('renders FILETIME exactly to the microsecond', () => {
    // 2019-08-14T14:06:44.495674Z plus 5 ticks (0.5 µs), built from the definition: 100 ns since 1601.
    const unixMs = Date.UTC(2019, 7, 14, 14, 6, 44, 495);
    const ticks = (BigInt(unixMs) + 11644473600000n) * 10000n + 6745n;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(ticks);
    expect(filetimeToIso(b, 0)).toBe('2019-08-14T14:06:44.495674Z');
  });

  it('renders GUID, SID, hex integers, SYSTEMTIME and arrays', () => {
    // Data1..3 are little-endian, the last 8 bytes are in order.
    const guid = Buffer.from('2596845478549449a5ba3e3b0328c30d', 'hex');
    expect(decodeScalar(guid, 0, 16, VT.Guid)).toBe('54849625-5478-4994-A5BA-3E3B0328C30D');
    // S-1-5-18: revision 1, one sub-authority, authority 5 (big-endian 48-bit), 18 little-endian.
    const sid = Buffer.from([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]);
    expect(decodeScalar(sid, 0, sid.length, VT.Sid)).toBe('S-1-5-18');
    const hex = Buffer.alloc(8);
    hex.writeBigUInt64LE(0x8020000000000000n);
    expect(decodeScalar(hex, 0, 8, VT.HexInt64)).toBe('0x8020000000000000');
    expect(decodeScalar(hex, 0, 8, VT.UInt64)).toBe('9232379236109516800');
    const st = Buffer.alloc(16);
    [2020, 9, 5, 4, 20, 9, 38, 962].forEach((v, i) => st.writeUInt16LE(v, i * 2));
    expect(decodeScalar(st, 0, 16, VT.SysTime)).toBe('2020-09-04T20:09:38.962000Z');
    const strs = Buffer.from('a\0bc\0', 'utf16le');
    expect(decodeScalar(strs, 0, strs.length, VT.String | VT.ArrayFlag)).toBe('a,bc');
    const u16s = Buffer.from([1, 0, 2, 0]);
    expect(decodeScalar(u16s, 0, 4, VT.UInt16 | VT.ArrayFlag)).toBe('1,2');
    expect(decodeScalar(Buffer.from('hi\0x', 'utf16le'), 0, 8, VT.String)).toBe('hi');
  });
});

describe('readEvtx never throws or hangs', () => {
  const check = (buf: Buffer): void => {
    let n = 0;
    for (const r of readEvtx(buf)) {
      n++;
      if (!r.ok) expect(typeof r.reason).toBe('string');
      else expect(typeof r.value.recordId).toBe('number');
      expect(n).toBeLessThan(100_000);
    }
  };

  it('on random bytes, with or without a valid signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.boolean(), (bytes, withMagic) => {
        const buf = Buffer.from(bytes);
        if (withMagic && buf.length >= 8) buf.write('ElfFile\0', 0, 'latin1');
        if (withMagic && buf.length >= 4096 + 8) buf.write('ElfChnk\0', 4096, 'latin1');
        check(buf);
      }),
      { numRuns: 60 },
    );
  });

  it('on a real file with bytes flipped', () => {
    const base = DOPPEL;
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 4096, max: base.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 40 }),
        (flips) => {
          const buf = Buffer.from(base);
          for (const f of flips) buf[f.at] = buf[f.at]! ^ f.xor;
          check(buf);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on a real file truncated anywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PANACHE.length }), (len) => check(PANACHE.subarray(0, len))),
      { numRuns: 40 },
    );
  });
});
