import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { SqliteSecretRepo } from '../store/sqlite/secrets.js';
import { commandAction } from './actions/command.js';
import { mintApprovalToken, verifyApprovalToken } from './approval-link.js';
import { BUILTIN_CONNECTORS_DIR, connectorAction, loadConnectors } from './connectors.js';
import type { ActionContext } from './runner.js';
import { SecretVault } from './secrets.js';

const ctx = (dryRun = false): ActionContext => ({
  tenant: 't1',
  runId: 'run-1',
  playbookId: 'pb',
  stepPath: 'block',
  dryRun,
  signal: new AbortController().signal,
});

describe('connectors against a real local HTTP server', () => {
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let server: http.Server;
  let base: string;
  let vault: SecretVault;
  const { connectors, rejected } = loadConnectors(BUILTIN_CONNECTORS_DIR);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url?.startsWith('/fail')) {
          res.writeHead(500);
          res.end();
          return;
        }
        res.writeHead(req.method === 'POST' ? 201 : 204, { 'content-type': 'application/json' });
        res.end(req.method === 'POST' ? JSON.stringify({ id: 'r-42' }) : undefined);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-conn-')), 'v.db'));
    vault = new SecretVault(new SqliteSecretRepo(db), Buffer.alloc(32, 7));
    await vault.set('t1', 'fw', 'the-key', 'test');
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const action = () =>
    connectorAction({ connectors, settings: async () => ({ baseUrl: base, secret: 'fw' }), vault });

  it('ships three valid templates, each containment operation with an undo', () => {
    expect(rejected).toEqual([]);
    expect([...connectors.keys()].sort()).toEqual(['edr-isolate', 'idp-disable-user', 'rest-firewall']);
    expect(connectors.get('rest-firewall')!.operations.block_ip!.undo!.operation).toBe('unblock_ip');
    expect(connectors.get('edr-isolate')!.operations.isolate_host!.undo!.operation).toBe('release_host');
    expect(connectors.get('idp-disable-user')!.operations.disable_user!.undo!.operation).toBe('enable_user');
  });

  it('sends the rendered request with the secret, maps the output and records the undo, which works', async () => {
    const out = (await action().run(
      { connector: 'rest-firewall', operation: 'block_ip', params: { ip: '203.0.113.5' } },
      ctx(),
    )) as { output: { rule_id: string }; undo: { operation: string; params: Record<string, string> } };
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/api/v1/blocklist' });
    expect(req.headers['x-api-key']).toBe('the-key');
    expect(JSON.parse(req.body)).toEqual({
      address: '203.0.113.5',
      comment: 'blocked by Vigil',
      duration_minutes: 1440,
    });
    expect(out.output).toEqual({ rule_id: 'r-42' });
    expect(out.undo).toEqual({
      connector: 'rest-firewall',
      operation: 'unblock_ip',
      params: { ip: '203.0.113.5', rule_id: 'r-42' },
    });
    await action().run(out.undo as never, ctx());
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/v1/blocklist/r-42' });
  });

  it('a dry run sends nothing and shows the request without the secret', async () => {
    const n = seen.length;
    const out = (await action().run(
      { connector: 'edr-isolate', operation: 'isolate_host', params: { host: 'ws-9' } },
      ctx(true),
    )) as { request: { url: string; auth: unknown } };
    expect(seen.length).toBe(n);
    expect(out.request.url).toBe(`${base}/api/hosts/ws-9/isolate`);
    expect(out.request.auth).toEqual({ type: 'bearer', secret: '<secret fw>' });
    expect(JSON.stringify(out)).not.toContain('the-key');
  });

  it('validates its input and fails on an unexpected status', async () => {
    await expect(action().run({ connector: 'rest-firewall', operation: 'block_ip' }, ctx())).rejects.toThrow(
      /needs the parameter ip/,
    );
    await expect(action().run({ connector: 'nope', operation: 'x' }, ctx())).rejects.toThrow(
      /no connector nope/,
    );
    await expect(
      action().run({ connector: 'rest-firewall', operation: 'block_ip', bogus: 1 }, ctx()),
    ).rejects.toThrow(/connector:/);
    await expect(
      action().run(
        {
          connector: 'rest-firewall',
          operation: 'block_ip',
          params: { ip: '1.2.3.4' },
          base_url: `${base}/fail`,
        },
        ctx(),
      ),
    ).rejects.toThrow(/HTTP 500/);
  });
});

describe('command connector', () => {
  it('is off unless enabled, and then runs only allowlisted programs, without a shell', async () => {
    await expect(commandAction({}).run({ command: '/bin/echo', args: ['hi'] }, ctx())).rejects.toThrow(
      /disabled/,
    );
    const on = commandAction({ VIGIL_PLAYBOOK_COMMANDS: '1', VIGIL_PLAYBOOK_COMMAND_ALLOW: '/bin/echo' });
    await expect(on.run({ command: '/bin/sh', args: ['-c', 'id'] }, ctx())).rejects.toThrow(/not in/);
    const out = (await on.run({ command: '/bin/echo', args: ['a; touch /tmp/x', '$(id)'] }, ctx())) as {
      stdout: string;
    };
    expect(out.stdout).toBe('a; touch /tmp/x $(id)\n');
    expect(await on.run({ command: '/bin/echo', args: ['x'] }, ctx(true))).toEqual({
      dryRun: true,
      command: '/bin/echo',
      args: ['x'],
    });
  });
});

describe('approval link tokens', () => {
  it('verify only when signed with the key', () => {
    const key = Buffer.alloc(32, 1);
    const { token, nonce } = mintApprovalToken(key);
    expect(token.length).toBeLessThan(100);
    expect(verifyApprovalToken(key, token)).toBe(nonce);
    expect(verifyApprovalToken(Buffer.alloc(32, 2), token)).toBeUndefined();
    expect(verifyApprovalToken(key, `${nonce}.AAAA`)).toBeUndefined();
    expect(verifyApprovalToken(key, 'garbage')).toBeUndefined();
    // Another spelling of the same signature bytes (the last character's two unused bits) is not the token.
    const sig = token.split('.')[1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${nonce}.${sig.slice(0, -1)}${alphabet[alphabet.indexOf(sig.at(-1)!) + 1]}`;
    expect(Buffer.from(respelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyApprovalToken(key, respelled)).toBeUndefined();
  });
});
