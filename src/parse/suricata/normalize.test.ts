import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { normalizeEve } from './normalize.js';
import { getField } from '../../schema/fields.js';

// Lines written after the examples in Suricata's "EVE JSON Format" documentation.
const ALERT = `{"timestamp":"2009-11-24T21:27:09.534255+0100","flow_id":1234,"in_iface":"eth0","event_type":"alert","src_ip":"192.168.2.7","src_port":1041,"dest_ip":"x.x.250.50","dest_port":80,"proto":"TCP","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg=","alert":{"action":"allowed","gid":1,"signature_id":2001999,"rev":9,"signature":"ET MALWARE BTGrab.com Spyware Downloading Ads","category":"A Network Trojan was detected","severity":1},"http":{"hostname":"www.btgrab.com","url":"/ads.php?id=1","http_user_agent":"Mozilla/4.0","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":42}}`;
const FLOW = `{"timestamp":"2017-10-05T15:50:41.021906+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1","src_port":52000,"dest_ip":"10.0.0.2","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":10,"pkts_toclient":8,"bytes_toserver":1200,"bytes_toclient":5400,"start":"2017-10-05T15:50:40.000000+0000","end":"2017-10-05T15:50:41.500000+0000","age":1,"state":"closed","reason":"timeout","alerted":false}}`;
const DNS_ANSWER = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"dns","src_ip":"8.8.8.8","src_port":53,"dest_ip":"10.0.0.5","dest_port":51000,"proto":"UDP","dns":{"version":2,"type":"answer","id":16000,"flags":"8180","qr":true,"rd":true,"ra":true,"rrname":"twitter.com","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"104.244.42.193"},{"rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"104.244.42.129"}]}}`;
const TLS = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"tls","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"1.2.3.4","dest_port":443,"proto":"TCP","tls":{"subject":"CN=example.org","issuerdn":"CN=Example CA","serial":"01:02","fingerprint":"aa:bb:cc","sni":"example.org","version":"TLS 1.2","notbefore":"2018-01-01T00:00:00","notafter":"2020-01-01T00:00:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,..."}}}`;
const FILEINFO = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"fileinfo","src_ip":"1.2.3.4","src_port":80,"dest_ip":"10.0.0.5","dest_port":51001,"proto":"TCP","http":{"hostname":"example.org","url":"/f/a.exe","http_method":"GET","status":200},"fileinfo":{"filename":"/f/a.exe","magic":"PE32 executable","state":"CLOSED","md5":"d41d8cd98f00b204e9800998ecf8427e","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","stored":false,"size":0,"tx_id":0}}`;
const ANOMALY = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"anomaly","src_ip":"10.0.0.5","dest_ip":"10.0.0.6","proto":"UDP","anomaly":{"type":"decode","event":"decoder.udp.pkt_too_small"}}`;
const SSH = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"ssh","src_ip":"10.0.0.5","src_port":40000,"dest_ip":"10.0.0.6","dest_port":22,"proto":"TCP","ssh":{"client":{"proto_version":"2.0","software_version":"OpenSSH_6.7"},"server":{"proto_version":"2.0","software_version":"OpenSSH_6.6.1p1"}}}`;
const SMTP = `{"timestamp":"2019-01-01T00:00:00.000000+0000","event_type":"smtp","src_ip":"10.0.0.5","src_port":40000,"dest_ip":"10.0.0.6","dest_port":25,"proto":"TCP","smtp":{"helo":"example.org","mail_from":"<a@example.org>","rcpt_to":["<b@example.net>"]},"email":{"status":"PARSE_DONE","from":"A <a@example.org>","to":["b@example.net"],"subject":"hello"}}`;

const norm = (line: string) => {
  const r = normalizeEve(JSON.parse(line) as Record<string, unknown>);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('normalizeEve', () => {
  it('alert: kind, rule, severity, community id, time in UTC, http block', () => {
    const d = norm(ALERT);
    expect(d['@timestamp']).toBe('2009-11-24T20:27:09.534255Z');
    expect(getField(d, 'event.kind')).toBe('alert');
    expect(getField(d, 'event.module')).toBe('suricata');
    expect(getField(d, 'event.dataset')).toBe('suricata.eve');
    expect(getField(d, 'rule.id')).toBe('2001999');
    expect(getField(d, 'rule.name')).toBe('ET MALWARE BTGrab.com Spyware Downloading Ads');
    expect(getField(d, 'rule.category')).toBe('A Network Trojan was detected');
    expect(getField(d, 'event.severity')).toBe(1);
    expect(getField(d, 'event.type')).toEqual(['allowed']);
    expect(getField(d, 'network.community_id')).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(getField(d, 'network.transport')).toBe('tcp');
    expect(getField(d, 'source.ip')).toBe('192.168.2.7');
    expect(getField(d, 'destination.port')).toBe(80);
    expect(getField(d, 'url.domain')).toBe('www.btgrab.com');
    expect(getField(d, 'url.query')).toBe('id=1');
    expect(getField(d, 'suricata.eve.alert.gid')).toBe(1);
    expect(getField(d, 'suricata.eve.flow_id')).toBe(1234);
  });
  it('flow: packets, bytes, duration', () => {
    const d = norm(FLOW);
    expect(getField(d, 'network.packets')).toBe(18);
    expect(getField(d, 'network.bytes')).toBe(6600);
    expect(getField(d, 'source.bytes')).toBe(1200);
    expect(getField(d, 'destination.bytes')).toBe(5400);
    expect(getField(d, 'event.duration')).toBe(1.5e9);
    expect(getField(d, 'network.protocol')).toBe('tls');
    expect(getField(d, 'event.kind')).toBe('event');
  });
  it('dns answer v2: question and answers', () => {
    const d = norm(DNS_ANSWER);
    expect(getField(d, 'dns.question.name')).toBe('twitter.com');
    expect(getField(d, 'dns.type')).toBe('answer');
    expect(getField(d, 'dns.resolved_ip')).toEqual(['104.244.42.193', '104.244.42.129']);
    expect((getField(d, 'dns.answers') as unknown[]).length).toBe(2);
  });
  it('tls: sni, version, ja3', () => {
    const d = norm(TLS);
    expect(getField(d, 'tls.server.name')).toBe('example.org');
    expect(getField(d, 'tls.version')).toBe('1.2');
    expect(getField(d, 'tls.version_protocol')).toBe('tls');
    expect(getField(d, 'tls.client.ja3')).toBe('e7d705a3286e19ea42f587b344ee6865');
  });
  it('fileinfo, anomaly, ssh, smtp', () => {
    const f = norm(FILEINFO);
    expect(getField(f, 'file.name')).toBe('a.exe');
    expect(getField(f, 'file.hash.md5')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(getField(f, 'event.category')).toEqual(['file', 'network']);
    const a = norm(ANOMALY);
    expect(getField(a, 'event.action')).toBe('decoder.udp.pkt_too_small');
    const s = norm(SSH);
    expect(getField(s, 'ssh.client')).toBe('OpenSSH_6.7');
    const m = norm(SMTP);
    expect(getField(m, 'email.from.address')).toEqual(['a@example.org']);
    expect(getField(m, 'email.to.address')).toEqual(['b@example.net']);
  });
  it('refuses records without event_type or timestamp', () => {
    expect(normalizeEve({ timestamp: '2019-01-01T00:00:00Z' }).ok).toBe(false);
    expect(normalizeEve({ event_type: 'alert' }).ok).toBe(false);
  });
  it('never throws on arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('event_type', 'timestamp', 'alert', 'flow', 'dns', 'http', 'tls', 'proto', 'src_ip', 'fileinfo', 'smtp', 'email'), fc.jsonValue()), (rec) => {
        const r = normalizeEve(rec as Record<string, unknown>);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
