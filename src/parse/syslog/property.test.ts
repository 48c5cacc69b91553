import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSyslog } from './parse-syslog.js';

const ctx = { timezone: 'Europe/Paris', now: new Date('2024-06-15T12:00:00Z') };

const SAMPLES = [
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] \uFEFFmsg',
  '<13>1 2024-01-01T00:00:00Z h a - - [x@1 q="say \\"hi\\"" r="[a\\]"] m',
  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
  '<189>123: *Mar  1 18:48:50.483 UTC: %SEC-6-IPACCESSLOGP: list 101 denied tcp 10.1.1.1(1234) -> 10.2.2.2(80), 1 packet',
  '<166>Jun 14 2024 09:15:00 asa01 : %ASA-6-302013: Built outbound TCP connection 4721 for outside:93.184.216.34/443 (93.184.216.34/443) to inside:10.0.0.5/51514 (192.0.2.10/51514)',
  '<189>date=2024-06-15 time=11:00:00 devname="FGT60E" devid="FGT" logid="0000000013" type="traffic" srcip=10.1.1.10 dstip=8.8.8.8 action="deny"',
  '<14>Jun 15 11:00:00 PA-VM 1,2024/06/15 11:00:00,0128,THREAT,url,1,2024/06/15 10:59:59,10.0.0.10,1.2.3.4,0.0.0.0,0.0.0.0,r,,,web,vsys1,a,b,e1,e2,d,2024/06/15 10:59:59,3,1,5,443,0,0,0x0,tcp,block-url,"a,b",x(1),c,high,client-to-server',
  '<38>Jun 15 11:59:00 srv sshd[1234]: Failed password for invalid user admin from 198.51.100.23 port 40022 ssh2',
  '<85>Jun 15 11:59:02 srv sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
  '<190>Jun 15 11:59:05 web01 nginx: 198.51.100.4 - frank [15/Jun/2024:13:59:05 +0200] "GET / HTTP/1.1" 200 15 "-" "curl/8"',
  '<134>Jun 15 11:59:07 ids01 CEF:0|Security|tm|1.0|100|worm|10|src=10.0.0.1 rt=Jun 15 2024 11:00:00 CEST cs1Label=L cs1=v',
  '<13>1 2024-06-15T11:59:08Z qr01 app - - - LEEF:2.0|L|S|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5',
];

function check(line: string | Uint8Array): boolean {
  const r = parseSyslog(line, ctx);
  if (r.ok) {
    const ts = r.value['@timestamp'];
    // every accepted event has a valid ISO time and keeps the original line
    expect(typeof ts === 'string' && !Number.isNaN(Date.parse(ts))).toBe(true);
    expect(typeof (r.value.event as Record<string, unknown>).original).toBe('string');
    return true;
  }
  return r.reason.length > 0;
}

describe('parseSyslog properties', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), check), { numRuns: 1000 });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(b)), { numRuns: 1000 });
  });

  it('never throws on lines with a syslog-looking prefix', () => {
    const prefix = fc.constantFrom('<13>', '<13>1 ', '<0>1 2024-01-01T00:00:00Z ', '<189>12: ', '<13>Jan  1 00:00:00 ', '<13>*Mar 1 ', '<1>1 - - - - - [');
    fc.assert(fc.property(prefix, fc.string({ maxLength: 200 }), (p, s) => check(p + s)), { numRuns: 3000 });
  });

  it('never throws on mutated real samples', () => {
    fc.assert(fc.property(
      fc.constantFrom(...SAMPLES), fc.nat(), fc.nat(), fc.string({ maxLength: 10 }),
      (base, a, b, ins) => {
        const i = a % (base.length + 1);
        const j = b % (base.length + 1);
        return check(base.slice(0, Math.min(i, j)) + ins + base.slice(Math.max(i, j)));
      },
    ), { numRuns: 5000 });
  });

  it('accepts every sample', () => {
    for (const s of SAMPLES) expect(parseSyslog(s, ctx).ok, s).toBe(true);
  });

  it('stays fast on hostile long lines (no regex blow-up)', () => {
    const hostile = [
      '<38>Jun 15 11:59:00 srv sshd[1]: ' + 'Failed password for '.repeat(2000),
      '<85>Jun 15 11:59:00 srv sudo: a : ' + ' ; '.repeat(5000),
      '<190>Jun 15 11:59:00 web nginx: a b c [' + '] "'.repeat(5000),
      '<166>%ASA-6-113005: AAA user authentication Rejected ' + ': '.repeat(5000),
      '<13>1 2024-01-01T00:00:00Z h a - - [' + 'x="'.repeat(5000),
      '<13>' + 'CEF:0|'.repeat(3000),
    ];
    for (const h of hostile) {
      const t0 = Date.now();
      check(h);
      expect(Date.now() - t0).toBeLessThan(1000);
    }
  });
});
