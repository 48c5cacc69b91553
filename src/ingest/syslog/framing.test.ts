import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SyslogFramer, type Frame } from './framing.js';

const msgs = (frames: Frame[]) => frames.map((f) => (f.ok ? f.message.toString('utf8') : `!${f.reason}:${f.size}`));

function feedAll(framer: SyslogFramer, chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  out.push(...framer.end());
  return out;
}

function octet(m: string): string {
  return `${Buffer.byteLength(m)} ${m}`;
}

/** Splits `buf` at the given (sorted, deduplicated) cut points. */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const ps = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of ps) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('SyslogFramer', () => {
  it('detects octet counting (RFC 6587 §3.4.1), including LF inside a message', () => {
    const f = new SyslogFramer();
    const data = octet('<13>1 - h a - - - line1\nline2') + octet('<14>hi');
    expect(msgs(feedAll(f, [Buffer.from(data)]))).toEqual(['<13>1 - h a - - - line1\nline2', '<14>hi']);
    expect(f.framing).toBe('octet-counting');
  });

  it('counts octets, not characters', () => {
    const f = new SyslogFramer();
    const m = '<13>héllo wörld';
    expect(msgs(feedAll(f, [Buffer.from(octet(m) + octet('<13>x'))]))).toEqual([m, '<13>x']);
  });

  it('detects LF framing, and also splits on NUL and strips CR', () => {
    const f = new SyslogFramer();
    expect(msgs(feedAll(f, [Buffer.from('<13>a\r\n<14>b\0<15>c\n\n<16>d')]))).toEqual(['<13>a', '<14>b', '<15>c', '<16>d']);
    expect(f.framing).toBe('delimited');
  });

  it('keeps a delimited line that starts with digits intact', () => {
    const f = new SyslogFramer();
    expect(msgs(feedAll(f, [Buffer.from('2024-01-01 hello\n12345\n')]))).toEqual(['2024-01-01 hello', '12345']);
  });

  it('reports an oversize octet-counted frame with its size and head, then resyncs', () => {
    const f = new SyslogFramer({ maxMessageSize: 10, headBytes: 4 });
    const out = feedAll(f, [Buffer.from('15 <13>0123456789a' + octet('<13>ok'))]);
    expect(out[0]).toEqual({ ok: false, reason: 'oversize', size: 15, head: Buffer.from('<13>') });
    expect(msgs(out.slice(1))).toEqual(['<13>ok']);
  });

  it('reports an oversize line without buffering it, then resyncs at the next LF', () => {
    const f = new SyslogFramer({ maxMessageSize: 8, headBytes: 3 });
    const out: Frame[] = [];
    out.push(...f.push(Buffer.from('<13>aaaaaa')));
    expect(f.buffered).toBeLessThanOrEqual(8);
    out.push(...f.push(Buffer.from('aaaaaaaaaaaaaaaaaaaa')));
    expect(f.buffered).toBe(0);
    out.push(...f.push(Buffer.from('aa\n<13>ok\n')));
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ ok: false, reason: 'oversize', size: 32, head: Buffer.from('<13') });
    expect(msgs(out.slice(1))).toEqual(['<13>ok']);
  });

  it('reports a frame cut by the end of the connection', () => {
    const f = new SyslogFramer();
    f.push(Buffer.from('20 <13>short'));
    // 9 of the announced 20 bytes arrived
    expect(f.end()).toEqual([{ ok: false, reason: 'truncated', size: 9, head: Buffer.from('<13>short') }]);
  });

  const message = fc.string({ minLength: 1, maxLength: 60 }).map((s) => '<13>' + s);

  it('octet counting: same messages whatever the chunk boundaries', () => {
    fc.assert(fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (ms, points) => {
      const data = Buffer.from(ms.map(octet).join(''));
      const got = msgs(feedAll(new SyslogFramer(), cut(data, points)));
      expect(got).toEqual(ms);
    }), { numRuns: 500 });
  });

  it('LF framing: same messages whatever the chunk boundaries', () => {
    const line = fc.string({ minLength: 1, maxLength: 60 }).map((s) => '<13>' + s.replace(/[\n\r\0]/g, ' '));
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (ms, points, crlf) => {
      const data = Buffer.from(ms.map((m) => m + (crlf ? '\r\n' : '\n')).join(''));
      const got = msgs(feedAll(new SyslogFramer(), cut(data, points)));
      expect(got).toEqual(ms.map((m) => m.replace(/\r+$/, '')));
    }), { numRuns: 500 });
  });

  it('never throws and never buffers more than the limit on arbitrary bytes', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 20 }), (chunks) => {
      const f = new SyslogFramer({ maxMessageSize: 50 });
      for (const c of chunks) {
        for (const fr of f.push(c)) {
          if (fr.ok) expect(fr.message.length).toBeLessThanOrEqual(50);
        }
        expect(f.buffered).toBeLessThanOrEqual(50);
      }
      f.end();
    }), { numRuns: 1000 });
  });
});
