import { describe, expect, it } from 'vitest';
import { compilePipeline, executePipelines } from './pipeline.js';
import { htmlStrip, parseBytes, parseCsvLine, uriParts } from './processors-extra.js';

const run = (processors: unknown[], source: Record<string, unknown>, index = 'i') => {
  const p = compilePipeline('t', { processors });
  return executePipelines(
    { first: 't' },
    source,
    { _index: index },
    (id) => (id === 't' ? p : undefined),
    new Date('2026-06-01T00:00:00Z'),
  );
};

// Expected values come from the examples in the Elasticsearch ingest processor reference.
describe('extra ingest processors', () => {
  it('csv splits quoted fields, trims, and writes empty_value only when asked', () => {
    expect(parseCsvLine('a,"b,c",""""', ',', '"', false)).toEqual(['a', 'b,c', '"']);
    expect(() => parseCsvLine('a,"b', ',', '"', false)).toThrow(/Unmatched quote/);
    const r = run(
      [
        {
          csv: {
            field: 'm',
            target_fields: ['f1', 'f2', 'f3', 'f4'],
            separator: ';',
            trim: true,
            empty_value: 'N/A',
          },
        },
      ],
      { m: ' x ;"y;z"; ' },
    );
    expect(r.source).toEqual({ m: ' x ;"y;z"; ', f1: 'x', f2: 'y;z', f3: 'N/A' });
    const bad = run([{ csv: { field: 'm', target_fields: ['a'] } }], { m: 'a"b' });
    expect(bad.error?.reason).toMatch(/Illegal character inside unquoted field/);
  });

  it('csv with a custom separator and ignore_missing', () => {
    const r = run(
      [{ csv: { field: 'm', target_fields: ['a', 'b', 'c'], separator: ';', empty_value: '' } }],
      { m: 'one;"two;2";' },
    );
    expect(r.source).toMatchObject({ a: 'one', b: 'two;2', c: '' });
    const skipped = run([{ csv: { field: 'nope', target_fields: ['a'], ignore_missing: true } }], { x: 1 });
    expect(skipped.source).toEqual({ x: 1 });
    const noEmpty = run([{ csv: { field: 'm', target_fields: ['a', 'b'] } }], { m: ',b' });
    expect(noEmpty.source).toEqual({ m: ',b', b: 'b' });
  });

  it('bytes converts human-readable sizes with binary units', () => {
    expect(parseBytes('1kb')).toBe(1024);
    expect(parseBytes('2MB')).toBe(2 * 1024 * 1024);
    expect(parseBytes('10b')).toBe(10);
    expect(() => parseBytes('12')).toThrow(/unit is missing or unrecognized/);
    const r = run([{ bytes: { field: 'size', target_field: 'n' } }], { size: '1kb' });
    expect(r.source).toMatchObject({ n: 1024 });
  });

  it('html_strip removes tags, turns block tags into newlines and decodes entities', () => {
    expect(htmlStrip("<p>I'm so <b>happy</b>!</p>")).toBe("\nI'm so happy!\n");
    expect(htmlStrip('a &amp; b &lt;c&gt; &#65;<script>x()</script>')).toBe('a & b <c> A');
    const r = run([{ html_strip: { field: 'h' } }], { h: ['<i>x</i>', '<br>y'] });
    expect(r.source).toMatchObject({ h: ['x', '\ny'] });
  });

  it('sort orders lists ascending or descending and refuses non-lists', () => {
    const r = run([{ sort: { field: 'n', order: 'desc' } }, { sort: { field: 's', target_field: 's2' } }], {
      n: [3, 10, 1],
      s: ['b', 'C', 'a'],
    });
    expect(r.source).toMatchObject({ n: [10, 3, 1], s2: ['C', 'a', 'b'] });
    const bad = run([{ sort: { field: 'x' } }], { x: 'str' });
    expect(bad.error?.reason).toMatch(/cannot be cast to \[java.util.List\]/);
  });

  it('reroute sets the target from destination or from dataset/namespace references', () => {
    const dest = run([{ reroute: { destination: 'logs-other-prod' } }], { a: 1 }, 'logs-generic-default');
    expect(dest.meta._index).toBe('logs-other-prod');
    const ds = run(
      [{ reroute: { dataset: ['{{service.name}}', 'fallback'], namespace: '{{missing}}' } }],
      { service: { name: 'Nginx:Web' }, event: { dataset: 'generic' } },
      'logs-generic-default',
    );
    expect(ds.meta._index).toBe('logs-nginx_web-default');
    expect(ds.source).toMatchObject({
      data_stream: { type: 'logs', dataset: 'nginx_web', namespace: 'default' },
      event: { dataset: 'nginx_web' },
    });
    const fallback = run([{ reroute: { dataset: ['{{service.name}}', 'fallback'] } }], {}, 'logs-a-b');
    expect(fallback.meta._index).toBe('logs-fallback-b');
    const bad = run([{ reroute: { dataset: 'x' } }], {}, 'plainindex');
    expect(bad.error?.reason).toMatch(/naming scheme/);
    expect(() =>
      compilePipeline('x', { processors: [{ reroute: { destination: 'a', dataset: 'b' } }] }),
    ).toThrow(/destination/);
  });

  it('fingerprint matches the Elasticsearch example hash and honours ignore_missing', () => {
    const user = { last_name: 'Smith', first_name: 'John', date_of_birth: '1980-01-15', is_active: true };
    const r = run([{ fingerprint: { fields: ['user'] } }], { user });
    expect(r.source).toMatchObject({ fingerprint: 'WbSUPW4zY1PBPehh2AA/sSxiRjw=' });
    const salted = run([{ fingerprint: { fields: ['user'], salt: 'pepper', method: 'SHA-256' } }], {
      user,
    });
    expect(salted.source!.fingerprint).not.toBe('WbSUPW4zY1PBPehh2AA/sSxiRjw=');
    expect(String(salted.source!.fingerprint)).toHaveLength(44);
    const missing = run([{ fingerprint: { fields: ['nope'] } }], { a: 1 });
    expect(missing.error?.reason).toMatch(/missing field \[nope\] when calculating fingerprint/);
    const quiet = run([{ fingerprint: { fields: ['nope'], ignore_missing: true } }], { a: 1 });
    expect(quiet.source).toEqual({ a: 1 });
    expect(() =>
      compilePipeline('x', { processors: [{ fingerprint: { fields: ['a'], method: 'CRC' } }] }),
    ).toThrow(/supported hash methods/);
  });

  it('community_id computes the Elasticsearch example flow hash', () => {
    const r = run([{ community_id: {} }], {
      source: { ip: '123.124.125.126', port: 12345 },
      destination: { ip: '55.56.57.58', port: 80 },
      network: { transport: 'TCP' },
    });
    expect(r.source).toMatchObject({ network: { community_id: '1:9qr9Z1LViXcNwtLVOHZ3CL8MlyM=' } });
    // Same flow seen from the other side hashes alike.
    const back = run([{ community_id: {} }], {
      source: { ip: '55.56.57.58', port: 80 },
      destination: { ip: '123.124.125.126', port: 12345 },
      network: { iana_number: 6 },
    });
    expect(back.source).toMatchObject({ network: { community_id: '1:9qr9Z1LViXcNwtLVOHZ3CL8MlyM=' } });
    const quiet = run([{ community_id: {} }], { source: { ip: '1.1.1.1' } });
    expect(quiet.source).toEqual({ source: { ip: '1.1.1.1' } });
    const strict = run([{ community_id: { ignore_missing: false } }], { source: { ip: '1.1.1.1' } });
    expect(strict.error?.reason).toMatch(/destination.ip/);
  });

  it('network_direction classifies flows with named and CIDR internal networks', () => {
    const dir = (s: string, d: string, nets: string[]) =>
      run([{ network_direction: { internal_networks: nets } }], {
        source: { ip: s },
        destination: { ip: d },
      }).source?.network;
    expect(dir('128.232.110.120', '192.168.1.1', ['private'])).toEqual({ direction: 'inbound' });
    expect(dir('192.168.1.1', '8.8.8.8', ['private'])).toEqual({ direction: 'outbound' });
    expect(dir('10.0.0.1', '192.168.1.1', ['private'])).toEqual({ direction: 'internal' });
    expect(dir('8.8.8.8', '1.1.1.1', ['private', 'loopback'])).toEqual({ direction: 'external' });
    expect(dir('127.0.0.1', '8.8.4.4', ['loopback'])).toEqual({ direction: 'outbound' });
    expect(dir('8.8.4.4', '203.0.113.9', ['203.0.113.0/24'])).toEqual({ direction: 'inbound' });
    const fromField = run([{ network_direction: { internal_networks_field: 'nets' } }], {
      nets: ['fd00::/8'],
      source: { ip: 'fd00::1' },
      destination: { ip: '2001:db8::1' },
    });
    expect(fromField.source).toMatchObject({ network: { direction: 'outbound' } });
    expect(() =>
      compilePipeline('x', { processors: [{ network_direction: { internal_networks: ['bogus'] } }] }),
    ).toThrow(/not an IP string literal/);
  });

  it('uri_parts splits a URL like the Elasticsearch example', () => {
    const url = 'http://myusername:mypassword@www.example.com:80/foo.gif?key1=val1&key2=val2#fragment';
    const r = run([{ uri_parts: { field: 'input_field', target_field: 'url', keep_original: true } }], {
      input_field: url,
    });
    expect(r.source!.url).toEqual({
      domain: 'www.example.com',
      extension: 'gif',
      fragment: 'fragment',
      original: url,
      password: 'mypassword',
      path: '/foo.gif',
      port: 80,
      query: 'key1=val1&key2=val2',
      scheme: 'http',
      user_info: 'myusername:mypassword',
      username: 'myusername',
    });
    expect(uriParts('https://[::1]/')).toMatchObject({ domain: '::1', path: '/' });
    const removed = run([{ uri_parts: { field: 'u', remove_if_successful: true, keep_original: false } }], {
      u: 'ftp://h/x',
    });
    expect(removed.source).toEqual({ url: { scheme: 'ftp', domain: 'h', path: '/x' } });
    expect(run([{ uri_parts: { field: 'u' } }], { u: 'not a uri' }).error?.reason).toMatch(
      /unable to parse URI/,
    );
  });

  it('new processors honour if, ignore_failure, on_failure and tag like the others', () => {
    const r = run(
      [
        { bytes: { field: 'a', ignore_failure: true } },
        { bytes: { field: 'b', if: "ctx.flag == 'on'" } },
        {
          sort: {
            field: 'c',
            tag: 'sorter',
            on_failure: [{ set: { field: 'err', value: '{{_ingest.on_failure_processor_tag}}' } }],
          },
        },
      ],
      { a: 'x', b: 'not-bytes', flag: 'off', c: 1 },
    );
    expect(r.error).toBeUndefined();
    expect(r.source).toMatchObject({ a: 'x', b: 'not-bytes', err: 'sorter' });
    const failed = run([{ bytes: { field: 'a', tag: 't1' } }], { a: 'x' });
    expect(failed.error?.reason).toMatch(/processor \[bytes:t1\]/);
  });
});
