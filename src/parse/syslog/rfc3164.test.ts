import { describe, expect, it } from 'vitest';
import { getField } from '../../schema/fields.js';
import type { RawEventDoc } from '../../schema/ecs.js';
import { parseSyslog, type SyslogContext } from './parse-syslog.js';

const ctx: SyslogContext = { timezone: 'UTC', now: new Date('2024-06-15T12:00:00Z') };

function parsed(line: string, c: SyslogContext = ctx): RawEventDoc {
  const r = parseSyslog(line, c);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('RFC 3164 §5.4 examples', () => {
  it('reads PRI, BSD timestamp, host, tag and message', () => {
    const d = parsed("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
    // Oct 11 is after June 15 in 2024, so the latest non-future year is 2023.
    expect(d['@timestamp']).toBe('2023-10-11T22:14:15.000Z');
    expect(getField(d, 'log.syslog.facility.name')).toBe('auth');
    expect(getField(d, 'log.syslog.severity.name')).toBe('critical');
    expect(getField(d, 'host.name')).toBe('mymachine');
    expect(getField(d, 'process.name')).toBe('su');
    expect(d.message).toBe("'su root' failed for lonvick on /dev/pts/8");
  });

  it('reads an IP hostname and a message without tag', () => {
    const d = parsed('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!');
    expect(d['@timestamp']).toBe('2024-02-05T17:32:18.000Z');
    expect(getField(d, 'host.name')).toBe('10.0.0.99');
    expect(getField(d, 'process.name')).toBeUndefined();
    expect(d.message).toBe('Use the BFG!');
  });

  it('reads the zone and year that follow the time', () => {
    const d = parsed("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.");
    expect(d['@timestamp']).toBe('1987-08-24T11:34:00.000Z'); // CST = UTC-6
    expect(getField(d, 'host.name')).toBe('mymachine');
    expect(getField(d, 'process.name')).toBe('myproc');
    expect(getField(d, 'process.pid')).toBe(10);
    expect(getField(d, 'log.syslog.procid')).toBe('10');
  });
});

describe('RFC 3164 real-world variants', () => {
  it('reads local time in the input timezone', () => {
    const d = parsed('<13>Jan 15 10:00:00 host app: x', { ...ctx, timezone: 'Europe/Paris' });
    expect(d['@timestamp']).toBe('2024-01-15T09:00:00.000Z');
    const s = parsed('<13>Jun 10 10:00:00 host app: x', { ...ctx, timezone: 'Europe/Paris' });
    expect(s['@timestamp']).toBe('2024-06-10T08:00:00.000Z');
  });

  it('rolls a Dec 31 line received on Jan 1 back to the previous year', () => {
    const d = parsed('<13>Dec 31 23:59:59 host app: bye', { timezone: 'UTC', now: new Date('2025-01-01T00:00:03Z') });
    expect(d['@timestamp']).toBe('2024-12-31T23:59:59.000Z');
  });

  it('accepts an ISO timestamp in place of the BSD one', () => {
    const d = parsed('<30>2024-05-01T10:11:12.345+02:00 web01 nginx[88]: started');
    expect(d['@timestamp']).toBe('2024-05-01T08:11:12.345Z');
    expect(getField(d, 'host.name')).toBe('web01');
    expect(getField(d, 'process.pid')).toBe(88);
    expect(d.message).toBe('started');
  });

  it('handles a missing hostname (tag right after the timestamp)', () => {
    const d = parsed('<38>Jun 15 11:00:00 sshd[99]: Server listening on 0.0.0.0 port 22.');
    expect(getField(d, 'host.name')).toBeUndefined();
    expect(getField(d, 'process.name')).toBe('sshd');
    expect(getField(d, 'process.pid')).toBe(99);
    expect(d.message).toBe('Server listening on 0.0.0.0 port 22.');
  });

  it('defaults PRI to 13 (user.notice) for lines without one and uses the receive time', () => {
    const d = parsed('kernel: eth0 link up', { ...ctx, receivedFrom: '192.0.2.5' });
    expect(getField(d, 'log.syslog.priority')).toBe(13);
    expect(getField(d, 'log.syslog.facility.name')).toBe('user');
    expect(getField(d, 'log.syslog.severity.name')).toBe('notice');
    expect(d['@timestamp']).toBe('2024-06-15T12:00:00.000Z');
    expect(getField(d, 'process.name')).toBe('kernel');
    expect(getField(d, 'host.name')).toBe('192.0.2.5');
    expect(getField(d, 'log.source.address')).toBe('192.0.2.5');
    expect(d.tags).toContain('syslog_no_pri');
  });

  it('strips a BOM at the start of the line and before MSG', () => {
    const d = parsed('\uFEFF<13>Jun 15 11:00:00 host app: \uFEFFhello');
    expect(getField(d, 'log.syslog.priority')).toBe(13);
    expect(d.message).toBe('hello');
  });

  it('keeps a <PRI> that is out of range as message text', () => {
    const d = parsed('<999>hello');
    expect(getField(d, 'log.syslog.priority')).toBe(13);
    expect(d.message).toBe('<999>hello');
  });

  it('refuses empty input', () => {
    expect(parseSyslog('', ctx).ok).toBe(false);
    expect(parseSyslog('\r\n', ctx).ok).toBe(false);
  });

  it('reads Cisco IOS sequence numbers and unsynchronised "*" timestamps with ms and zone', () => {
    const d = parsed('<189>123: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)');
    expect(getField(d, 'event.sequence')).toBe(123);
    expect(d['@timestamp']).toBe('2024-03-01T18:48:50.483Z');
    expect(d.tags).toContain('clock_unsynchronized');
    expect(getField(d, 'event.code')).toBe('SYS-5-CONFIG_I');
    expect(getField(d, 'user.name')).toBe('vty2');
    expect(getField(d, 'source.ip')).toBe('10.34.195.36');
  });

  it('reads a Cisco hostname given before the timestamp', () => {
    const d = parsed('<189>45: core-sw1: Jun 14 08:00:00.001: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up');
    expect(getField(d, 'host.name')).toBe('core-sw1');
    expect(getField(d, 'event.sequence')).toBe(45);
    expect(d['@timestamp']).toBe('2024-06-14T08:00:00.001Z');
    expect(getField(d, 'cisco.ios.mnemonic')).toBe('UPDOWN');
    expect(d.message).toBe('Interface GigabitEthernet0/1, changed state to up');
  });
});
