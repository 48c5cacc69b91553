/** RFC 5424 §6.2.1 facility and severity names, as ECS `log.syslog.*.name` spells them. */

export const FACILITY_NAMES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5',
  'local6', 'local7',
] as const;

export const SEVERITY_NAMES = [
  'emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug',
] as const;

/** The PRI used when a line carries none (RFC 3164 §4.3.3: user.notice). */
export const DEFAULT_PRI = 13;

/** `log.syslog` priority block for a PRI value 0..191. */
export function priorityFields(pri: number): Record<string, unknown> {
  const f = pri >> 3;
  const s = pri & 7;
  return {
    priority: pri,
    facility: { code: f, name: FACILITY_NAMES[f] ?? String(f) },
    severity: { code: s, name: SEVERITY_NAMES[s] ?? String(s) },
  };
}

/**
 * Reads `<PRI>` at the start of `line`. Returns the value and the index after `>`,
 * or undefined when there is no valid PRI (1-3 digits, ≤ 191, no leading zero except `<0>`).
 */
export function readPri(line: string): { pri: number; end: number } | undefined {
  if (line.charCodeAt(0) !== 60 /* < */) return undefined;
  let v = 0;
  let i = 1;
  for (; i < line.length && i <= 4; i++) {
    const c = line.charCodeAt(i);
    if (c === 62 /* > */) break;
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  const n = i - 1;
  if (line.charCodeAt(i) !== 62 || n < 1 || n > 3 || v > 191) return undefined;
  if (n > 1 && line.charCodeAt(1) === 48) return undefined;
  return { pri: v, end: i + 1 };
}
