import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../app.js';
import type { SyslogInputConfig } from '../../config/schema.js';
import { createVigilMetrics } from '../../metrics/registry.js';
import { getField } from '../../schema/fields.js';
import type { IngestPipeline } from '../../pipeline/ingest.js';
import { startTestApp } from '../../test-support/app.js';
import { startSyslogListeners } from './listener.js';

const haveRsyslog = spawnSync('rsyslogd', ['-v']).status === 0 && spawnSync('openssl', ['version']).status === 0;
if (!haveRsyslog && process.env.VIGIL_REQUIRE_SERVICES) throw new Error('rsyslog, rsyslog-gnutls and openssl are required (VIGIL_REQUIRE_SERVICES is set)');
if (!haveRsyslog) console.warn('skipping syslog TLS real-client tests: `rsyslogd` (Debian packages rsyslog + rsyslog-gnutls) or `openssl` is not installed');

async function until<T>(f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA with a server certificate (CN vigil-server) and a client one (CN rsyslog-client). */
function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-tls-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Vigil Test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  for (const [name, cn, ext] of [
    ['server', 'vigil-server', 'subjectAltName=DNS:vigil-server,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n'],
    ['client', 'rsyslog-client', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n'],
  ] as const) {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  }
  return { dir, ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

/** rsyslogd in the foreground: tails one file with imfile and forwards it over TLS, octet-counted. */
function startRsyslog(pki: Pki, port: number): { input: string; stop(): Promise<void> } {
  const dir = mkdtempSync(path.join(pki.dir, 'rsyslog-'));
  const work = path.join(dir, 'work');
  mkdirSync(work);
  const input = path.join(dir, 'in.log');
  writeFileSync(input, '');
  const conf = path.join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${work}"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${pki.ca}"
  defaultNetstreamDriverCertFile="${pki.clientCert}"
  defaultNetstreamDriverKeyFile="${pki.clientKey}")
module(load="imfile" mode="polling" pollingInterval="1")
input(type="imfile" file="${input}" tag="vigiltls" facility="auth" severity="warning")
action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" tcp_framing="octet-counted"
  streamDriver="gtls" streamDriverMode="1" streamDriverAuthMode="x509/name" streamDriverPermittedPeers="vigil-server"
  template="RSYSLOG_SyslogProtocol23Format"
  action.resumeRetryCount="-1" action.resumeInterval="1")
`,
  );
  const check = spawnSync('rsyslogd', ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslog rejected its config: ${check.stderr}`);
  const proc: ChildProcess = spawn('rsyslogd', ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.on('exit', (code) => {
    if (code && code !== 0) console.warn(`rsyslogd exited ${code}: ${stderr}`);
  });
  return {
    input,
    stop: () =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
      }),
  };
}

describe.skipIf(!haveRsyslog)('syslog over TLS with a real rsyslog', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });

  const configFile = (tlsYaml: string) => {
    const file = path.join(mkdtempSync(path.join(pki.dir, 'cfg-')), 'vigil.yaml');
    writeFileSync(file, `syslog:\n  tls:\n    port: 0\n    cert: ${pki.serverCert}\n    key: ${pki.serverKey}\n${tlsYaml}`);
    return file;
  };

  const find = (app: VigilApp, word: string) =>
    until(async () => {
      const r = await app.storage.events.search({ tenants: ['default'], text: [word], limit: 10 });
      return r.total > 0 ? r.events : undefined;
    });

  describe('server certificate only', () => {
    let app: VigilApp;
    let rsyslog: ReturnType<typeof startRsyslog>;
    beforeAll(async () => {
      app = await startTestApp({ VIGIL_CONFIG: configFile('') });
      rsyslog = startRsyslog(pki, app.ports['syslog-tls']!);
    });
    afterAll(async () => {
      await rsyslog?.stop();
      await app?.close();
    });

    it('stores the lines rsyslog reads from a file and forwards over TLS', async () => {
      const words = [1, 2, 3].map((i) => `tls${i}${Math.random().toString(36).slice(2)}`);
      appendFileSync(rsyslog.input, words.map((w) => `line with ${w} in it\n`).join(''));
      for (const w of words) {
        const [ev] = await find(app, w);
        expect(ev!.message).toContain(`line with ${w} in it`);
        expect(ev!.process).toMatchObject({ name: 'vigiltls' });
        expect(ev!.log).toMatchObject({ syslog: { facility: { code: 4 }, severity: { code: 4 } } });
        expect(ev!.event.original).toContain(w);
      }
      const src = app.sources.snapshot().find((i) => i.input === 'syslog-tls');
      expect(src).toMatchObject({ state: 'active', parsed: 3, failed: 0, hosts: [{ host: '127.0.0.1' }] });
    });
  });

  describe('client certificate required', () => {
    let app: VigilApp;
    let rsyslog: ReturnType<typeof startRsyslog>;
    beforeAll(async () => {
      app = await startTestApp({ VIGIL_CONFIG: configFile(`    ca: ${pki.ca}\n    requireClientCert: true\n`) });
      rsyslog = startRsyslog(pki, app.ports['syslog-tls']!);
    });
    afterAll(async () => {
      await rsyslog?.stop();
      await app?.close();
    });

    it('refuses a client without a certificate', async () => {
      const word = `nocert${Math.random().toString(36).slice(2)}`;
      const outcome = await new Promise<string>((resolve) => {
        const sock = tls.connect({ host: '127.0.0.1', port: app.ports['syslog-tls']!, ca: [readFileSync(pki.ca)], servername: 'vigil-server' }, () => {
          sock.write(`<13>1 2026-11-28T10:00:00Z host app - - - ${word}\n`);
        });
        sock.on('error', (err) => resolve(`error: ${err.message}`));
        sock.on('close', () => resolve('closed'));
      });
      // TLS 1.3 reports the refusal after the handshake, as an alert on the first read.
      expect(outcome).toMatch(/certificate required/);
      await new Promise((r) => setTimeout(r, 300));
      const r = await app.storage.events.search({ tenants: ['default'], text: [word], limit: 1 });
      expect(r.total).toBe(0);
      expect(app.sources.snapshot().find((i) => i.input === 'syslog-tls')?.received).toBe(0);
    });

    it('accepts rsyslog with its client certificate and records the certificate name', async () => {
      const word = `withcert${Math.random().toString(36).slice(2)}`;
      appendFileSync(rsyslog.input, `authenticated ${word}\n`);
      const [ev] = await find(app, word);
      expect(ev!.message).toContain(`authenticated ${word}`);
      expect(ev).toMatchObject({ tls: { client: { x509: { subject: { common_name: ['rsyslog-client'] } } } }, observer: { name: 'rsyslog-client' } });
      expect(getField(ev!, 'tls.client.subject')).toContain('CN=rsyslog-client');
    });
  });
});

describe('syslog TLS startup', () => {
  it('names the certificate file it cannot read', async () => {
    const cfg: SyslogInputConfig = {
      id: 'syslog', port: 0, host: '127.0.0.1', enabled: true, tenant: 'default', protocols: ['tcp'], maxMessageBytes: 65536,
      timezone: 'UTC', silentAfterMinutes: 60, tls: { port: 0, cert: '/nonexistent/vigil-cert.pem', key: '/nonexistent/vigil-key.pem', requireClientCert: false },
    };
    await expect(
      startSyslogListeners(cfg, {} as IngestPipeline, createVigilMetrics(), pino({ level: 'silent' })),
    ).rejects.toThrow(/tls\.cert file \/nonexistent\/vigil-cert\.pem/);
  });
});
