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
const f = getField;

describe('Cisco ASA', () => {
  it('302013 outbound: the inside host is the source', () => {
    const d = parsed('<166>Jun 14 2024 09:15:00 asa01 : %ASA-6-302013: Built outbound TCP connection 4721 for outside:93.184.216.34/443 (93.184.216.34/443) to inside:10.0.0.5/51514 (192.0.2.10/51514)');
    expect(d['@timestamp']).toBe('2024-06-14T09:15:00.000Z');
    expect(f(d, 'host.name')).toBe('asa01');
    expect(f(d, 'observer.vendor')).toBe('Cisco');
    expect(f(d, 'observer.product')).toBe('ASA');
    expect(f(d, 'observer.type')).toBe('firewall');
    expect(f(d, 'observer.hostname')).toBe('asa01');
    expect(f(d, 'event.code')).toBe('302013');
    expect(f(d, 'source.ip')).toBe('10.0.0.5');
    expect(f(d, 'source.port')).toBe(51514);
    expect(f(d, 'destination.ip')).toBe('93.184.216.34');
    expect(f(d, 'destination.port')).toBe(443);
    expect(f(d, 'network.transport')).toBe('tcp');
    expect(f(d, 'network.direction')).toBe('outbound');
    expect(f(d, 'related.ip')).toEqual(expect.arrayContaining(['10.0.0.5', '93.184.216.34']));
    expect(d.message).toMatch(/^Built outbound TCP/);
  });

  it('302015 inbound: the outside host is the source', () => {
    const d = parsed('<166>%ASA-6-302015: Built inbound UDP connection 99 for outside:198.51.100.7/5353 (198.51.100.7/5353) to dmz:10.1.1.2/53 (203.0.113.2/53)');
    expect(f(d, 'source.ip')).toBe('198.51.100.7');
    expect(f(d, 'destination.ip')).toBe('10.1.1.2');
    expect(f(d, 'destination.port')).toBe(53);
    expect(f(d, 'network.transport')).toBe('udp');
    expect(f(d, 'observer.ingress.interface.name')).toBe('outside');
  });

  it('106023 deny by access-group', () => {
    const d = parsed('<164>Jun 14 2024 09:16:00 asa01 : %ASA-4-106023: Deny tcp src outside:203.0.113.50/40000 dst inside:10.0.0.8/3389 by access-group "outside_in" [0x0, 0x0]');
    expect(f(d, 'event.action')).toBe('deny');
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'event.type')).toEqual(['connection', 'denied']);
    expect(f(d, 'source.ip')).toBe('203.0.113.50');
    expect(f(d, 'destination.port')).toBe(3389);
    expect(f(d, 'rule.name')).toBe('outside_in');
  });

  it('605004 login denied and 113005 AAA rejected are failed authentications', () => {
    const a = parsed('<165>%ASA-5-605004: Login denied from 198.51.100.9/51000 to outside:192.0.2.1/ssh for user "admin"');
    expect(f(a, 'event.category')).toEqual(['authentication']);
    expect(f(a, 'event.outcome')).toBe('failure');
    expect(f(a, 'user.name')).toBe('admin');
    expect(f(a, 'source.ip')).toBe('198.51.100.9');
    const b = parsed('<166>%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.2.2.2 : user = bob : user IP = 198.51.100.10');
    expect(f(b, 'event.outcome')).toBe('failure');
    expect(f(b, 'user.name')).toBe('bob');
    expect(f(b, 'source.ip')).toBe('198.51.100.10');
  });
});

describe('Cisco IOS', () => {
  it('SEC-6-IPACCESSLOGP with sequence number', () => {
    const d = parsed('<190>1047: Jun 15 10:00:00: %SEC-6-IPACCESSLOGP: list 101 denied tcp 192.0.2.44(51000) -> 10.0.0.1(23), 3 packets');
    expect(f(d, 'event.sequence')).toBe(1047);
    expect(f(d, 'observer.product')).toBe('IOS');
    expect(f(d, 'event.action')).toBe('deny');
    expect(f(d, 'rule.name')).toBe('101');
    expect(f(d, 'source.ip')).toBe('192.0.2.44');
    expect(f(d, 'source.port')).toBe(51000);
    expect(f(d, 'destination.ip')).toBe('10.0.0.1');
    expect(f(d, 'destination.port')).toBe(23);
    expect(f(d, 'source.packets')).toBe(3);
  });

  it('SEC_LOGIN-4-LOGIN_FAILED', () => {
    const d = parsed('<188>88: *Mar  1 00:10:00.123: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: root] [Source: 203.0.113.77] [localport: 22] [Reason: Login Authentication Failed] at 00:10:00 UTC Fri Mar 1 2024');
    expect(f(d, 'event.category')).toEqual(['authentication']);
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'user.name')).toBe('root');
    expect(f(d, 'source.ip')).toBe('203.0.113.77');
    expect(f(d, 'destination.port')).toBe(22);
  });
});

describe('FortiGate', () => {
  it('traffic log, with quoted values and ns eventtime', () => {
    const d = parsed('<189>date=2024-06-15 time=11:00:00 devname="FGT60E" devid="FGT60ETK19000000" eventtime=1718449200000000000 tz="+0000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.1.1.10 srcport=53124 srcintf="internal" dstip=8.8.8.8 dstport=53 dstintf="wan1" proto=17 action="accept" policyid=1 service="DNS" sentbyte=61 rcvdbyte=77');
    expect(d['@timestamp']).toBe('2024-06-15T11:00:00.000Z');
    expect(f(d, 'observer.vendor')).toBe('Fortinet');
    expect(f(d, 'observer.name')).toBe('FGT60E');
    expect(f(d, 'observer.serial_number')).toBe('FGT60ETK19000000');
    expect(f(d, 'event.code')).toBe('0000000013');
    expect(f(d, 'event.action')).toBe('accept');
    expect(f(d, 'event.type')).toEqual(['connection', 'allowed']);
    expect(f(d, 'source.ip')).toBe('10.1.1.10');
    expect(f(d, 'source.port')).toBe(53124);
    expect(f(d, 'destination.ip')).toBe('8.8.8.8');
    expect(f(d, 'destination.port')).toBe(53);
    expect(f(d, 'network.transport')).toBe('udp');
    expect(f(d, 'source.bytes')).toBe(61);
    expect(f(d, 'destination.bytes')).toBe(77);
    expect(f(d, 'rule.id')).toBe('1');
    expect(f(d, 'fortinet.firewall.subtype')).toBe('forward');
  });

  it('admin login failure is a failed authentication; date/time read in the input zone', () => {
    const d = parsed('<185>date=2024-06-15 time=11:02:03 devname="FGT60E" devid="FGT60ETK19000000" logid="0100032002" type="event" subtype="system" level="alert" vd="root" logdesc="Admin login failed" user="admin" method="ssh" srcip=203.0.113.9 dstip=10.1.1.1 action="login" status="failed" reason="passwd_invalid" msg="Administrator admin login failed from ssh(203.0.113.9) because of invalid password"',
      { ...ctx, timezone: 'Europe/Paris' });
    expect(d['@timestamp']).toBe('2024-06-15T09:02:03.000Z');
    expect(f(d, 'event.category')).toEqual(['authentication']);
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'user.name')).toBe('admin');
    expect(f(d, 'source.ip')).toBe('203.0.113.9');
    expect(d.message).toBe('Administrator admin login failed from ssh(203.0.113.9) because of invalid password');
  });
});

describe('Palo Alto PAN-OS', () => {
  it('TRAFFIC', () => {
    const d = parsed('<14>Jun 15 11:00:00 PA-VM 1,2024/06/15 11:00:00,012801096514,TRAFFIC,end,2561,2024/06/15 10:59:59,10.0.0.10,93.184.216.34,192.0.2.10,93.184.216.34,allow-web,corp\\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,default,2024/06/15 10:59:59,33811,1,51234,443,40123,443,0x400053,tcp,allow,5120,1200,3920,20,2024/06/15 10:59:40,15,computer-and-internet-info,0,7000,0x0,10.0.0.0-10.255.255.255,United States,0,11,9,tcp-fin');
    expect(d['@timestamp']).toBe('2024-06-15T10:59:59.000Z');
    expect(f(d, 'panw.panos.type')).toBe('TRAFFIC');
    expect(f(d, 'observer.serial_number')).toBe('012801096514');
    expect(f(d, 'observer.hostname')).toBe('PA-VM');
    expect(f(d, 'source.ip')).toBe('10.0.0.10');
    expect(f(d, 'source.port')).toBe(51234);
    expect(f(d, 'destination.ip')).toBe('93.184.216.34');
    expect(f(d, 'destination.port')).toBe(443);
    expect(f(d, 'source.nat.ip')).toBe('192.0.2.10');
    expect(f(d, 'event.action')).toBe('allow');
    expect(f(d, 'rule.name')).toBe('allow-web');
    expect(f(d, 'user.name')).toBe('corp\\alice');
    expect(f(d, 'network.application')).toBe('web-browsing');
    expect(f(d, 'network.transport')).toBe('tcp');
    expect(f(d, 'network.bytes')).toBe(5120);
    expect(f(d, 'event.type')).toEqual(['connection', 'allowed', 'end']);
  });

  it('THREAT with a quoted misc field', () => {
    const d = parsed('<12>Jun 15 11:00:01 PA-VM 1,2024/06/15 11:00:01,012801096514,THREAT,vulnerability,2561,2024/06/15 11:00:00,203.0.113.5,10.0.0.20,0.0.0.0,0.0.0.0,inbound-web,,,web-browsing,vsys1,untrust,dmz,ethernet1/1,ethernet1/3,default,2024/06/15 11:00:00,99881,1,44321,80,0,0,0x2000,tcp,reset-both,"/cgi-bin/test,x.cgi",Bash Remote Code Execution Vulnerability(36729),any,critical,client-to-server');
    expect(f(d, 'panw.panos.type')).toBe('THREAT');
    expect(f(d, 'event.action')).toBe('reset-both');
    expect(f(d, 'event.type')).toEqual(['denied']);
    expect(f(d, 'source.ip')).toBe('203.0.113.5');
    expect(f(d, 'destination.port')).toBe(80);
    expect(f(d, 'panw.panos.misc')).toBe('/cgi-bin/test,x.cgi');
    expect(f(d, 'panw.panos.threat.id')).toBe('36729');
    expect(f(d, 'panw.panos.threat.name')).toBe('Bash Remote Code Execution Vulnerability');
    expect(f(d, 'panw.panos.severity')).toBe('critical');
    expect(f(d, 'source.nat.ip')).toBeUndefined();
  });
});

describe('Linux auth', () => {
  it('sshd failed password for invalid user', () => {
    const d = parsed('<38>Jun 15 11:59:00 srv sshd[1234]: Failed password for invalid user admin from 198.51.100.23 port 40022 ssh2');
    expect(f(d, 'event.dataset')).toBe('system.auth');
    expect(f(d, 'event.category')).toEqual(['authentication']);
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'event.action')).toBe('ssh_login');
    expect(f(d, 'user.name')).toBe('admin');
    expect(f(d, 'source.ip')).toBe('198.51.100.23');
    expect(f(d, 'source.port')).toBe(40022);
    expect(f(d, 'related.user')).toEqual(['admin']);
    expect(f(d, 'system.auth.ssh.invalid_user')).toBe(true);
  });

  it('sshd accepted publickey with signature', () => {
    const d = parsed('<38>Jun 15 11:59:01 srv sshd[1300]: Accepted publickey for alice from 2001:db8::7 port 51000 ssh2: ED25519 SHA256:abcdefghijk');
    expect(f(d, 'event.outcome')).toBe('success');
    expect(f(d, 'user.name')).toBe('alice');
    expect(f(d, 'source.ip')).toBe('2001:db8::7');
    expect(f(d, 'system.auth.ssh.method')).toBe('publickey');
    expect(f(d, 'system.auth.ssh.signature')).toBe('SHA256:abcdefghijk');
  });

  it('sudo command and sudo failure', () => {
    const d = parsed('<85>Jun 15 11:59:02 srv sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow');
    expect(f(d, 'event.action')).toBe('sudo');
    expect(f(d, 'event.outcome')).toBe('success');
    expect(f(d, 'user.name')).toBe('alice');
    expect(f(d, 'user.effective.name')).toBe('root');
    expect(f(d, 'process.command_line')).toBe('/usr/bin/cat /etc/shadow');
    expect(f(d, 'system.auth.sudo.pwd')).toBe('/home/alice');
    const e = parsed('<85>Jun 15 11:59:03 srv sudo:      bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh');
    expect(f(e, 'event.outcome')).toBe('failure');
    expect(f(e, 'system.auth.sudo.error')).toBe('user NOT in sudoers');
    expect(f(e, 'user.name')).toBe('bob');
  });

  it('pam_unix authentication failure', () => {
    const d = parsed('<86>Jun 15 11:59:04 srv sshd[77]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.4  user=root');
    expect(f(d, 'event.outcome')).toBe('failure');
    expect(f(d, 'user.name')).toBe('root');
    expect(f(d, 'source.ip')).toBe('203.0.113.4');
  });
});

describe('access logs over syslog', () => {
  it('nginx combined format', () => {
    const d = parsed('<190>Jun 15 11:59:05 web01 nginx: 198.51.100.4 - frank [15/Jun/2024:13:59:05 +0200] "GET /index.html?q=a%20b HTTP/1.1" 404 153 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) \\"quoted\\""');
    expect(d['@timestamp']).toBe('2024-06-15T11:59:05.000Z');
    expect(f(d, 'event.dataset')).toBe('nginx.access');
    expect(f(d, 'source.ip')).toBe('198.51.100.4');
    expect(f(d, 'user.name')).toBe('frank');
    expect(f(d, 'http.request.method')).toBe('GET');
    expect(f(d, 'url.original')).toBe('/index.html?q=a%20b');
    expect(f(d, 'http.version')).toBe('1.1');
    expect(f(d, 'http.response.status_code')).toBe(404);
    expect(f(d, 'http.response.body.bytes')).toBe(153);
    expect(f(d, 'http.request.referrer')).toBe('https://example.com/');
    expect(f(d, 'user_agent.original')).toBe('Mozilla/5.0 (X11; Linux x86_64) "quoted"');
    expect(f(d, 'event.outcome')).toBe('failure');
  });

  it('apache common format (no referrer/agent)', () => {
    const d = parsed('<190>Jun 15 11:59:06 web02 apache2: 10.0.0.9 - - [15/Jun/2024:11:59:06 +0000] "POST /login HTTP/1.0" 200 -');
    expect(f(d, 'event.dataset')).toBe('apache.access');
    expect(f(d, 'http.request.method')).toBe('POST');
    expect(f(d, 'http.response.status_code')).toBe(200);
    expect(f(d, 'http.response.body.bytes')).toBeUndefined();
    expect(f(d, 'user.name')).toBeUndefined();
  });
});

describe('CEF and LEEF inside syslog', () => {
  it('merges CEF fields and keeps the syslog line as event.original', () => {
    const line = '<134>Jun 15 11:59:07 ids01 CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 suser=jdoe act=blocked';
    const d = parsed(line);
    expect(f(d, 'event.original')).toBe(line);
    expect(f(d, 'host.name')).toBe('ids01');
    expect(f(d, 'cef.device.vendor')).toBe('Security');
    expect(f(d, 'cef.name')).toBe('worm successfully stopped');
    expect(f(d, 'event.severity')).toBe(10);
    expect(f(d, 'source.ip')).toBe('10.0.0.1');
    expect(f(d, 'destination.ip')).toBe('2.1.2.2');
    expect(f(d, 'source.port')).toBe(1232);
    expect(f(d, 'user.name')).toBe('jdoe');
    expect(f(d, 'event.action')).toBe('blocked');
    expect(f(d, 'observer.hostname')).toBe('ids01');
    expect(d['@timestamp']).toBe('2024-06-15T11:59:07.000Z');
    expect(f(d, 'related.hosts')).toEqual(['ids01']);
  });

  it('merges LEEF 2.0 from an RFC 5424 message', () => {
    const d = parsed('<13>1 2024-06-15T11:59:08Z qr01 app - - - LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^usrName=carol');
    expect(f(d, 'leef.device.vendor')).toBe('Lancope');
    expect(f(d, 'source.ip')).toBe('10.0.1.8');
    expect(f(d, 'destination.ip')).toBe('10.0.0.5');
    expect(f(d, 'user.name')).toBe('carol');
    expect(f(d, 'event.code')).toBe('41');
  });
});
