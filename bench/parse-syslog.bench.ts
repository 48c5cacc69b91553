/**
 * Parse-only throughput on one core for the syslog family: RFC 5424, RFC 3164 (plain and sshd),
 * CEF and LEEF (inside syslog and bare), key=value (FortiGate), and the TCP framer.
 * Prints one JSON line per result.
 */
import { parseSyslog } from '../src/parse/syslog/parse-syslog.js';
import { parseCef } from '../src/parse/cef/cef.js';
import { parseLeef } from '../src/parse/leef/leef.js';
import { parseKv } from '../src/parse/kv/kv.js';
import { SyslogFramer } from '../src/ingest/syslog/framing.js';

const VARIANTS = 1024;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const ctx = { timezone: 'Europe/Paris', now: new Date('2024-06-15T12:00:00Z') };

function ip(i: number): string {
  return `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`;
}

const families: Record<string, (i: number) => string> = {
  rfc5424: (i) => `<165>1 2024-06-15T11:${String(i % 60).padStart(2, '0')}:15.003Z host${i % 50}.example.com evntslog ${1000 + i} ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="${i}"] \uFEFFAn application event log entry ${i}`,
  rfc3164: (i) => `<34>Jun ${1 + (i % 28)} 22:14:15 mymachine${i % 50} su[${i}]: 'su root' failed for lonvick on /dev/pts/${i % 9}`,
  rfc3164_sshd: (i) => `<38>Jun 15 11:59:00 srv${i % 50} sshd[${i}]: Failed password for invalid user u${i} from ${ip(i)} port ${1024 + i} ssh2`,
  syslog_cef: (i) => `<134>Jun 15 11:59:07 ids01 CEF:0|Security|threatmanager|1.0|${100 + (i % 9)}|worm successfully stopped|10|src=${ip(i)} dst=2.1.2.2 spt=${1024 + i} dpt=443 suser=user${i} act=blocked msg=detected a \\= in message cs1Label=Policy cs1=Block all rt=1718449200${String(i % 1000).padStart(3, '0')}`,
  syslog_fortigate: (i) => `<189>date=2024-06-15 time=11:00:00 devname="FGT60E" devid="FGT60ETK19000000" eventtime=1718449200000000000 tz="+0000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=${ip(i)} srcport=${1024 + i} srcintf="internal" dstip=8.8.8.8 dstport=53 dstintf="wan1" proto=17 action="accept" policyid=1 service="DNS" sentbyte=61 rcvdbyte=77`,
};
const bare: Record<string, { gen: (i: number) => string; parse: (s: string) => unknown }> = {
  cef: { gen: (i) => families.syslog_cef!(i).slice(families.syslog_cef!(i).indexOf('CEF:')), parse: (s) => parseCef(s) },
  leef: {
    gen: (i) => `LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=${ip(i)}^dst=10.0.0.5^sev=5^srcPort=${1024 + i}^dstPort=21^usrName=user${i}^devTime=${1718449200000 + i}`,
    parse: (s) => parseLeef(s),
  },
  kv: { gen: (i) => families.syslog_fortigate!(i).slice(5), parse: (s) => parseKv(s) },
};

function run(name: string, lines: string[], parse: (s: string) => unknown): void {
  for (let i = 0; i < 20_000; i++) parse(lines[i % lines.length]!); // warm-up
  let events = 0;
  let bytes = 0;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < deadline) {
    for (let k = 0; k < lines.length; k++) {
      const r = parse(lines[k]!) as { ok: boolean };
      if (!r.ok) failed++;
      bytes += lines[k]!.length;
    }
    events += lines.length;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process: on a shared, loaded machine wall time under-reports one core.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({
    name, events, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(events / seconds),
    cpuSeconds: +cpuSeconds.toFixed(3), eventsPerCpuSecond: Math.round(events / cpuSeconds), failed, avgLineChars: Math.round(bytes / events),
  }));
}

for (const [name, gen] of Object.entries(families)) {
  const lines = Array.from({ length: VARIANTS }, (_, i) => gen(i));
  run(`parse-syslog/${name}`, lines, (s) => parseSyslog(s, ctx));
}
for (const [name, b] of Object.entries(bare)) {
  const lines = Array.from({ length: VARIANTS }, (_, i) => b.gen(i));
  run(`parse-syslog/${name}`, lines, b.parse);
}

// Framer: octet-counted stream cut into 64 KiB chunks.
{
  const lines = Array.from({ length: VARIANTS }, (_, i) => families.rfc5424!(i));
  const stream = Buffer.from(lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join(''));
  const chunks: Buffer[] = [];
  for (let o = 0; o < stream.length; o += 65536) chunks.push(stream.subarray(o, o + 65536));
  let events = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(SECONDS * 1e9));
  let now = t0;
  while (now < deadline) {
    const f = new SyslogFramer();
    for (const c of chunks) events += f.push(c).length;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - t0) / 1e9;
  console.log(JSON.stringify({ name: 'framing/octet-counting', events, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(events / seconds), mbPerSecond: +((events / lines.length) * stream.length / seconds / 1e6).toFixed(1) }));
}
