import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

function tmpFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-cfg-'));
  const file = path.join(dir, 'vigil.yml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('has defaults that need no file', () => {
    const c = loadConfig({ env: {} });
    expect(c.http.port).toBe(8080);
    expect(c.syslog.port).toBe(5514);
    expect(c.netflow.port).toBe(2055);
    expect(path.isAbsolute(c.dataDir)).toBe(true);
  });

  it('applies environment overrides over the file', () => {
    const file = tmpFile('http:\n  port: 9000\nsyslog:\n  port: 6000\n');
    const c = loadConfig({ env: { VIGIL_CONFIG: file, VIGIL_HTTP_PORT: '0', VIGIL_RULES: '/a:/b' } });
    expect(c.http.port).toBe(0);
    expect(c.syslog.port).toBe(6000);
    expect(c.rules.paths).toEqual(['/a', '/b']);
    const linked = loadConfig({ env: { VIGIL_PUBLIC_URL: 'https://vigil.example.org' } });
    expect(linked.http.publicUrl).toBe('https://vigil.example.org');
    expect(() => loadConfig({ env: { VIGIL_PUBLIC_URL: 'ftp://x' } })).toThrow(/VIGIL_PUBLIC_URL/);
  });

  it('names key, value and expectation on a bad value', () => {
    const file = tmpFile('http:\n  port: 70000\n');
    try {
      loadConfig({ env: { VIGIL_CONFIG: file } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as ConfigError).problems.join('\n');
      expect(msg).toContain('http.port = 70000');
      expect(msg).toMatch(/65535/);
    }
  });

  it('names the environment variable that carried a bad value', () => {
    expect(() => loadConfig({ env: { VIGIL_HTTP_PORT: 'abc' } })).toThrow(/http\.port = "abc" \(from environment VIGIL_HTTP_PORT\)/);
  });

  it('rejects unknown keys instead of ignoring typos', () => {
    const file = tmpFile('htp:\n  port: 1\n');
    expect(() => loadConfig({ env: { VIGIL_CONFIG: file } })).toThrow(/unknown key: htp/);
  });

  it('reports YAML syntax errors with the file name', () => {
    const file = tmpFile('http: [\n');
    expect(() => loadConfig({ env: { VIGIL_CONFIG: file } })).toThrow(file);
  });
});

describe('inputs', () => {
  it('accepts extra syslog and netflow inputs with their own tenant and zone', () => {
    const file = tmpFile(
      'inputs:\n  - { type: syslog, id: fw-paris, port: 6514, tenant: acme, timezone: Europe/Paris, protocols: [udp] }\n  - { type: netflow, id: core-nf, port: 9995 }\n',
    );
    const c = loadConfig({ env: { VIGIL_CONFIG: file } });
    expect(c.inputs).toMatchObject([
      { type: 'syslog', id: 'fw-paris', port: 6514, tenant: 'acme', timezone: 'Europe/Paris', protocols: ['udp'] },
      { type: 'netflow', id: 'core-nf', port: 9995, tenant: 'default' },
    ]);
  });

  it('rejects an unknown time zone and duplicate ids with the key named', () => {
    const bad = tmpFile('syslog:\n  timezone: Mars/Olympus\n');
    expect(() => loadConfig({ env: { VIGIL_CONFIG: bad } })).toThrow(/syslog\.timezone = "Mars\/Olympus".*IANA time zone/);
    const dup = tmpFile('inputs:\n  - { type: netflow, id: a }\n  - { type: netflow, id: a }\n');
    expect(() => loadConfig({ env: { VIGIL_CONFIG: dup } })).toThrow(/input ids must be unique/);
  });
});
