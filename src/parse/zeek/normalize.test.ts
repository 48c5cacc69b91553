import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { normalizeZeek } from './normalize.js';
import { applyZeekHeaderLine, defaultZeekHeader, parseZeekTsvLine } from './tsv.js';
import { getField } from '../../schema/fields.js';

const DATA = new URL('../../../../shared/data/zeek-wrccdc2018/', import.meta.url);

function lines(path: URL): string[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l.length > 0);
}

/** Pairs the first `n` data lines of a log's TSV and JSON exports (same records, same order upstream). */
function pairs(log: string, n: number): { tsv: Record<string, unknown>; json: Record<string, unknown> }[] {
  const header = defaultZeekHeader();
  const tsv: Record<string, unknown>[] = [];
  for (const line of lines(new URL(`zeek-default/${log}.log.gz`, DATA))) {
    if (applyZeekHeaderLine(header, line)) continue;
    const r = parseZeekTsvLine(header, line);
    if (!r.ok) throw new Error(r.reason);
    tsv.push(r.value);
    if (tsv.length >= n) break;
  }
  const json = lines(new URL(`zeek-json/${log}.json.gz`, DATA))
    .slice(0, n)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return tsv.map((t, i) => ({ tsv: t, json: json[i]! }));
}

describe('normalizeZeek on wrccdc2018 TSV and JSON exports', () => {
  for (const log of ['dns', 'ssl', 'x509', 'notice', 'weird', 'ssh', 'smtp', 'kerberos', 'ntlm', 'rdp', 'ftp', 'dce_rpc', 'smb_mapping', 'ocsp', 'known_certs', 'software']) {
    it(`gives identical docs for the same ${log} line from TSV and JSON`, () => {
      let compared = 0;
      for (const { tsv, json } of pairs(log, 300)) {
        const a = normalizeZeek(tsv, 'dns' === log ? 'dns' : log);
        const b = normalizeZeek(json, '');
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(a.value).toEqual(b.value);
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('maps the first dns line (read from dns.log) to ECS', () => {
    const { tsv } = pairs('dns', 1)[0]!;
    const r = normalizeZeek(tsv, 'dns');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.value;
    // 1521911720.865716 CqKst53mF3det3eDV9 10.47.1.100 41772 10.0.0.100 53 udp 36329 ... ise.wrccdc.org
    expect(d['@timestamp']).toBe('2018-03-24T17:15:20.865716Z');
    expect(getField(d, 'event.dataset')).toBe('zeek.dns');
    expect(getField(d, 'event.module')).toBe('zeek');
    expect(getField(d, 'source.ip')).toBe('10.47.1.100');
    expect(getField(d, 'source.port')).toBe(41772);
    expect(getField(d, 'destination.ip')).toBe('10.0.0.100');
    expect(getField(d, 'destination.port')).toBe(53);
    expect(getField(d, 'network.transport')).toBe('udp');
    expect(getField(d, 'dns.question.name')).toBe('ise.wrccdc.org');
    expect(getField(d, 'dns.question.type')).toBe('A');
    expect(getField(d, 'dns.response_code')).toBe('NOERROR');
    expect(getField(d, 'dns.answers')).toEqual([
      { data: 'ise.wrccdc.cpp.edu', ttl: 2230 },
      { data: '134.71.3.16', ttl: 41830 },
    ]);
    expect(getField(d, 'dns.resolved_ip')).toEqual(['134.71.3.16']);
    expect(getField(d, 'zeek.dns.uid')).toBe('CqKst53mF3det3eDV9');
    expect(getField(d, 'zeek.dns.id.orig_h')).toBe('10.47.1.100');
    expect(getField(d, 'zeek.dns.rejected')).toBe(false);
  });

  it('takes tls.server.name from an ssl line that has server_name', () => {
    const withName = pairs('ssl', 2000).find((p) => typeof p.json.server_name === 'string');
    expect(withName).toBeDefined();
    const r = normalizeZeek(withName!.json, '');
    expect(r.ok && getField(r.value, 'tls.server.name')).toBe(withName!.json.server_name);
    expect(r.ok && getField(r.value, 'event.dataset')).toBe('zeek.ssl');
  });
});

describe('normalizeZeek mappings written from Zeek log definitions', () => {
  it('conn: bytes, packets, duration, transport, community id', () => {
    const r = normalizeZeek(
      {
        ts: 1588205199.82437, uid: 'Cvf4', id_orig_h: '10.0.1.6', id_orig_p: 54243, id_resp_h: '10.0.0.4', id_resp_p: 53,
        proto: 'udp', service: 'dns', duration: 0.001528024673461914, orig_bytes: 39, resp_bytes: 55, orig_pkts: 1,
        resp_pkts: 1, orig_ip_bytes: 67, resp_ip_bytes: 83, community_id: '1:abc=',
      },
      'conn',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value['@timestamp']).toBe('2020-04-30T00:06:39.824370Z');
    expect(getField(r.value, 'source.ip')).toBe('10.0.1.6');
    expect(getField(r.value, 'source.bytes')).toBe(39);
    expect(getField(r.value, 'destination.bytes')).toBe(55);
    expect(getField(r.value, 'network.bytes')).toBe(150);
    expect(getField(r.value, 'network.packets')).toBe(2);
    expect(getField(r.value, 'network.protocol')).toBe('dns');
    expect(getField(r.value, 'network.community_id')).toBe('1:abc=');
    expect(getField(r.value, 'event.duration')).toBe(1528000);
    expect(getField(r.value, 'event.category')).toEqual(['network']);
  });

  it('http: method, url, status, user agent', () => {
    const r = normalizeZeek(
      { _path: 'http', ts: '2020-04-30T00:32:18.095510Z', uid: 'C1', 'id.orig_h': '10.0.1.4', 'id.orig_p': 60757, 'id.resp_h': '192.168.0.4', 'id.resp_p': 80,
        method: 'GET', host: 'example.org', uri: '/a/b?x=1', status_code: 404, user_agent: 'curl/8' },
      '',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(getField(r.value, 'http.request.method')).toBe('GET');
    expect(getField(r.value, 'url.domain')).toBe('example.org');
    expect(getField(r.value, 'url.path')).toBe('/a/b');
    expect(getField(r.value, 'url.query')).toBe('x=1');
    expect(getField(r.value, 'http.response.status_code')).toBe(404);
    expect(getField(r.value, 'event.outcome')).toBe('failure');
    expect(getField(r.value, 'user_agent.original')).toBe('curl/8');
  });

  it('refuses a record without ts or log type', () => {
    expect(normalizeZeek({ uid: 'x' }, 'conn').ok).toBe(false);
    expect(normalizeZeek({ ts: 1 }, '').ok).toBe(false);
  });
});

describe('normalizeZeek on arbitrary records', () => {
  it('never throws and always returns a value or a reason', () => {
    const keys = fc.constantFrom('ts', 'uid', 'id.orig_h', 'id_resp_p', 'proto', 'answers', 'TTLs', 'query', 'status_code', 'uri', 'version', 'server_name', 'total_bytes', 'tx_hosts', 'auth_success', '_path', '__proto__', 'certificate.version', 'a.b.c');
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 2 })), fc.constantFrom('', 'conn', 'dns', 'http', 'ssl', 'x509', 'files', 'notice', 'weird', 'ssh', 'smtp', 'dhcp', 'kerberos', 'ntlm', 'x/y'), (rec, log) => {
        const r = normalizeZeek(rec as Record<string, unknown>, log);
        expect(r.ok ? typeof r.value['@timestamp'] : typeof r.reason).toBe('string');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
