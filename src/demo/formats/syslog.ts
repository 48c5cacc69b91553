/** RFC 3164 lines the way rsyslog forwards a Linux host's auth log (`<PRI>Mmm dd hh:mm:ss host prog[pid]: msg`). */

export const FACILITY = { auth: 4, authpriv: 10 } as const;
export const SEVERITY = { notice: 5, info: 6 } as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** RFC 3164 timestamp in the sender's zone: `Nov  8 09:05:01` (day space-padded, no year, no zone). */
export function rfc3164Time(ms: number, timeZone: string): string {
  const p = wallClock(ms, timeZone);
  return `${p.month} ${(p.day ?? '').padStart(2, ' ')} ${p.hour}:${p.minute}:${p.second}`;
}

export interface SyslogLine {
  time: number;
  facility: number;
  severity: number;
  host: string;
  program: string;
  pid?: number;
  message: string;
}

export function rfc3164(l: SyslogLine, timeZone: string): string {
  const tag = l.pid === undefined ? `${l.program}:` : `${l.program}[${l.pid}]:`;
  return `<${l.facility * 8 + l.severity}>${rfc3164Time(l.time, timeZone)} ${l.host} ${tag} ${l.message}`;
}
