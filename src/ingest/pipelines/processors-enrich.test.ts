import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePipeline, executePipelines } from './pipeline.js';
import { domainInfo } from './processors-enrich.js';

const run = (processors: unknown[], source: Record<string, unknown>) => {
  const p = compilePipeline('t', { processors });
  return executePipelines({ first: 't' }, source, { _index: 'i' }, (id) => (id === 't' ? p : undefined));
};

describe('registered_domain', () => {
  it('splits a host name on the Public Suffix List, as the Elasticsearch reference example does', () => {
    const r = run([{ registered_domain: { field: 'fqdn', target_field: 'url' } }], {
      fqdn: 'www.example.ac.uk',
    });
    expect(r.error).toBeUndefined();
    expect(r.source!.url).toEqual({
      domain: 'www.example.ac.uk',
      registered_domain: 'example.ac.uk',
      top_level_domain: 'ac.uk',
      subdomain: 'www',
    });
  });

  it('writes at the root without target_field, counts private suffixes, and knows a bare suffix', () => {
    const root = run([{ registered_domain: { field: 'h' } }], { h: 'A.B.User.GitHub.io.' });
    expect(root.source).toMatchObject({
      domain: 'a.b.user.github.io',
      registered_domain: 'user.github.io',
      top_level_domain: 'github.io',
      subdomain: 'a.b',
    });
    expect(domainInfo('co.uk')).toEqual({ domain: 'co.uk', top_level_domain: 'co.uk' });
    expect(domainInfo('example.com')).toEqual({
      domain: 'example.com',
      registered_domain: 'example.com',
      top_level_domain: 'com',
    });
  });

  it('refuses what is not a domain unless ignore_missing, and honours a missing field', () => {
    for (const bad of ['10.1.2.3', 'localhost', 'not a domain', ''])
      expect(run([{ registered_domain: { field: 'h' } }], { h: bad }).error?.reason, bad).toMatch(
        /unable to set domain information/,
      );
    expect(
      run([{ registered_domain: { field: 'h', ignore_missing: true } }], { h: '10.1.2.3' }).source,
    ).toEqual({
      h: '10.1.2.3',
    });
    expect(run([{ registered_domain: { field: 'h' } }], {}).error?.reason).toMatch(/not present/);
    expect(run([{ registered_domain: { field: 'h', ignore_missing: true } }], {}).error).toBeUndefined();
  });
});

describe('user_agent', () => {
  const chromeMac =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36';

  it('parses browser, version, OS and device into the ECS layout under user_agent', () => {
    const r = run([{ user_agent: { field: 'agent' } }], { agent: chromeMac });
    expect(r.error).toBeUndefined();
    expect(r.source!.user_agent).toMatchObject({
      name: 'Chrome',
      version: '51.0.2704.103',
      original: chromeMac,
      os: { name: 'Mac OS', version: '10.10.5', full: 'Mac OS 10.10.5' },
      device: { name: 'Macintosh' },
    });
    const win = run([{ user_agent: { field: 'a', target_field: 'ua', extract_device_type: true } }], {
      a: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
    });
    expect(win.source!.ua).toMatchObject({
      name: 'Firefox',
      os: { name: 'Windows', version: '10' },
      device: { type: 'Desktop' },
    });
    const phone = run([{ user_agent: { field: 'a', extract_device_type: true } }], {
      a: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
    });
    expect(phone.source!.user_agent).toMatchObject({
      os: { name: 'iOS' },
      device: { name: 'iPhone', type: 'Phone' },
    });
  });

  it('keeps only the asked properties; unknown agents are Other; custom regex files are refused', () => {
    const r = run([{ user_agent: { field: 'a', properties: ['name', 'os'] } }], { a: 'curl/8.5.0' });
    expect(Object.keys(r.source!.user_agent as object).sort()).toEqual(['name', 'os']);
    const unknown = run([{ user_agent: { field: 'a' } }], { a: 'zzz' });
    expect(unknown.source!.user_agent).toMatchObject({
      name: 'Other',
      os: { name: 'Other' },
      device: { name: 'Other' },
    });
    expect(() =>
      compilePipeline('x', { processors: [{ user_agent: { field: 'a', regex_file: 'x.yml' } }] }),
    ).toThrow(/regex_file/);
    expect(run([{ user_agent: { field: 'a' } }], { a: 5 }).error?.reason).toMatch(/cannot be cast/);
  });

  it('never throws anything but a processor error, whatever the input', () => {
    const p = compilePipeline('t', {
      processors: [
        { user_agent: { field: 'a', extract_device_type: true } },
        { registered_domain: { field: 'a', target_field: 'd', ignore_missing: true } },
      ],
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.domain(), fc.webUrl()), (a) => {
        const r = executePipelines({ first: 't' }, { a }, { _index: 'i' }, () => p);
        if (r.error) expect(r.error.type).not.toBe('exception');
        else expect(typeof (r.source!.user_agent as { name: unknown }).name).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
