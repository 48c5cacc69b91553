import { describe, expect, it } from 'vitest';
import { getField } from '../../schema/fields.js';
import type { RawEventDoc } from '../../schema/ecs.js';
import { parseSyslog } from './parse-syslog.js';

const ctx = { timezone: 'UTC', now: new Date('2024-06-15T12:00:00Z') };

function parsed(line: string): RawEventDoc {
  const r = parseSyslog(line, ctx);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('RFC 5424 §6.5 examples', () => {
  it('example 1: no structured data, BOM before MSG', () => {
    const line = '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF\'su root\' failed for lonvick on /dev/pts/8';
    const d = parsed(line);
    expect(d['@timestamp']).toBe('2003-10-11T22:14:15.003Z');
    expect(getField(d, 'log.syslog.priority')).toBe(34);
    expect(getField(d, 'log.syslog.facility.code')).toBe(4);
    expect(getField(d, 'log.syslog.facility.name')).toBe('auth');
    expect(getField(d, 'log.syslog.severity.code')).toBe(2);
    expect(getField(d, 'log.syslog.severity.name')).toBe('critical');
    expect(getField(d, 'event.severity')).toBe(2);
    expect(getField(d, 'log.syslog.version')).toBe(1);
    expect(getField(d, 'log.syslog.hostname')).toBe('mymachine.example.com');
    expect(getField(d, 'host.name')).toBe('mymachine.example.com');
    expect(getField(d, 'log.syslog.appname')).toBe('su');
    expect(getField(d, 'process.name')).toBe('su');
    expect(getField(d, 'log.syslog.procid')).toBeUndefined();
    expect(getField(d, 'log.syslog.msgid')).toBe('ID47');
    expect(getField(d, 'log.syslog.structured_data')).toBeUndefined();
    expect(d.message).toBe("'su root' failed for lonvick on /dev/pts/8");
    expect(getField(d, 'event.original')).toBe(line);
    expect(getField(d, 'related.hosts')).toEqual(['mymachine.example.com']);
  });

  it('example 2: offset timestamp with microseconds, procid, no MSGID', () => {
    const d = parsed('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.');
    expect(d['@timestamp']).toBe('2003-08-24T12:14:15.000Z');
    expect(getField(d, 'log.syslog.facility.name')).toBe('local4');
    expect(getField(d, 'log.syslog.severity.name')).toBe('notice');
    expect(getField(d, 'host.name')).toBe('192.0.2.1');
    expect(getField(d, 'process.pid')).toBe(8710);
    expect(getField(d, 'log.syslog.procid')).toBe('8710');
    expect(getField(d, 'log.syslog.msgid')).toBeUndefined();
    expect(d.message).toBe("%% It's time to make the do-nuts.");
  });

  it('example 3: structured data and a message', () => {
    const d = parsed('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...');
    expect(getField(d, 'log.syslog.structured_data')).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    });
    expect(d.message).toBe('An application event log entry...');
  });

  it('example 4: two SD elements, no message', () => {
    const d = parsed('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]');
    expect(getField(d, 'log.syslog.structured_data')).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    });
    expect(d.message).toBe('');
  });
});

describe('RFC 5424 structured data escaping', () => {
  it('unescapes \\" \\\\ and \\] and keeps other backslashes', () => {
    const d = parsed(String.raw`<13>1 2024-01-01T00:00:00Z h a - - [x@1 q="say \"hi\"" b="C:\\dir" r="[a\]" o="\n"] m`);
    expect(getField(d, 'log.syslog.structured_data')).toEqual({ 'x@1': { q: 'say "hi"', b: 'C:\\dir', r: '[a]', o: '\\n' } });
    expect(d.message).toBe('m');
  });

  it('keeps "]" and spaces inside a quoted value', () => {
    const d = parsed('<13>1 2024-01-01T00:00:00Z h a - - [x@1 v="a ] b"] msg');
    expect(getField(d, 'log.syslog.structured_data')).toEqual({ 'x@1': { v: 'a ] b' } });
  });

  it('keeps every value of a repeated PARAM-NAME', () => {
    const d = parsed('<13>1 2024-01-01T00:00:00Z h a - - [x@1 ip="1.1.1.1" ip="2.2.2.2"]');
    expect(getField(d, 'log.syslog.structured_data')).toEqual({ 'x@1': { ip: ['1.1.1.1', '2.2.2.2'] } });
  });

  it('adds the origin ip to related.ip', () => {
    const d = parsed('<13>1 2024-01-01T00:00:00Z h a - - [origin ip="192.0.2.7"] x');
    expect(getField(d, 'related.ip')).toEqual(['192.0.2.7']);
  });

  it('refuses unterminated or malformed structured data with a reason', () => {
    for (const line of [
      '<13>1 2024-01-01T00:00:00Z h a - - [x@1 v="open',
      '<13>1 2024-01-01T00:00:00Z h a - - [x@1 v=unquoted] m',
      '<13>1 2024-01-01T00:00:00Z h a - - [x@1 v="a"',
      '<13>1 2024-01-01T00:00:00Z h a - - nosd',
      '<13>1 2024-01-01T00:00:00Z h a',
    ]) {
      const r = parseSyslog(line, ctx);
      expect(r.ok, line).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });

  it('uses the receive time for a NILVALUE timestamp', () => {
    const d = parsed('<14>1 - host app 12 - - hello');
    expect(d['@timestamp']).toBe('2024-06-15T12:00:00.000Z');
    expect(d.message).toBe('hello');
  });

  it('accepts a Buffer slice', () => {
    const buf = Buffer.from('xx<14>1 2024-01-01T00:00:00Z host app - - - hé\n');
    const r = parseSyslog(buf.subarray(2), ctx);
    expect(r.ok && r.value.message).toBe('hé');
  });
});
