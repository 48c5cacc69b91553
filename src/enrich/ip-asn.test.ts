import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { socActions, type SocDeps } from '../playbooks/actions/soc.js';
import { IpAsnTable } from './ip-asn.js';

// Lines as iptoasn.com publishes them (ip2asn-combined.tsv): start, end, AS, country, description.
const TABLE = [
  '1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET',
  '1.0.1.0\t1.0.3.255\t0\tNone\tNot routed',
  '8.8.8.0\t8.8.8.255\t15169\tUS\tGOOGLE',
  '193.0.0.0\t193.0.7.255\t3333\tNL\tRIPE-NCC-AS Reseaux IP Europeens Network Coordination Centre (RIPE NCC)',
  '2001:4860::\t2001:4860:ffff:ffff:ffff:ffff:ffff:ffff\t15169\tUS\tGOOGLE',
  '2a00:1450::\t2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff\t15169\tZZ\tGOOGLE',
  'not-an-ip\t1.2.3.4\t1\tUS\tbroken',
  '9.9.9.9\t9.9.9.0\t19281\tUS\tbackwards',
  '10.0.0.0\t10.0.0.255\tAS12\tUS\tbad number',
].join('\n');

describe('address → AS and country table (iptoasn format)', () => {
  const table = new IpAsnTable();
  const report = table.addText(TABLE, 'ip2asn-combined.tsv');

  it('loads ranges, skips unrouted space and counts bad lines with their reasons', () => {
    expect(report).toMatchObject({ ranges: 5, rejected: 3 });
    expect(report.reasons).toEqual([
      'ip2asn-combined.tsv:7: range ends are not two addresses of one family',
      'ip2asn-combined.tsv:8: range ends before it starts',
      'ip2asn-combined.tsv:9: AS number AS12 is not a 32-bit integer',
    ]);
  });

  it('finds the range of an address, at its edges too, for IPv4 and IPv6', () => {
    expect(table.lookup('8.8.8.8')).toEqual({ asn: 15169, country: 'US', organization: 'GOOGLE' });
    expect(table.lookup('1.0.0.0')?.asn).toBe(13335);
    expect(table.lookup('1.0.0.255')?.asn).toBe(13335);
    expect(table.lookup('193.0.7.255')?.organization).toMatch(/^RIPE-NCC-AS/);
    expect(table.lookup('2001:4860:4860::8888')?.asn).toBe(15169);
    // ZZ is "unknown" in these tables: no country rather than a fake one.
    expect(table.lookup('2a00:1450:4001::1')).toEqual({ asn: 15169, country: null, organization: 'GOOGLE' });
    // IPv4-mapped IPv6 is the IPv4 address.
    expect(table.lookup('::ffff:8.8.8.4')?.asn).toBe(15169);
  });

  it('knows nothing of unrouted, absent or malformed addresses', () => {
    expect(table.lookup('1.0.2.1')).toBeUndefined();
    expect(table.lookup('1.0.0.256')).toBeUndefined();
    expect(table.lookup('0.0.0.0')).toBeUndefined();
    expect(table.lookup('255.255.255.255')).toBeUndefined();
    expect(table.lookup('2001:db8::1')).toBeUndefined();
    expect(table.lookup('example.org')).toBeUndefined();
  });

  it('reads a gzipped file as well as plain text', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-ipasn-'));
    const gz = path.join(dir, 'ip2asn-v4.tsv.gz');
    writeFileSync(gz, gzipSync('8.8.8.0\t8.8.8.255\t15169\tUS\tGOOGLE\n'));
    const t = new IpAsnTable();
    expect(t.addFile(gz)).toMatchObject({ ranges: 1, rejected: 0 });
    expect(t.lookup('8.8.8.1')?.country).toBe('US');
  });

  it('is what the playbook action enrich.network answers with, and says when no table is configured', async () => {
    const ctx = {
      tenant: 'default',
      runId: 'r',
      playbookId: 'p',
      stepPath: 's',
      dryRun: false,
      signal: new AbortController().signal,
    };
    // enrich.network reads only the table; the other dependencies are not touched.
    const action = (deps: Partial<SocDeps>) =>
      socActions(deps as SocDeps).find((a) => a.name === 'enrich.network')!;
    expect(await action({ network: table }).run({ ip: '8.8.8.8' }, ctx)).toEqual({
      ip: '8.8.8.8',
      found: true,
      asn: 15169,
      organization: 'GOOGLE',
      country: 'US',
    });
    expect(await action({ network: table }).run({ ip: '10.1.2.3' }, ctx)).toMatchObject({ found: false });
    await expect(action({ network: new IpAsnTable() }).run({ ip: '8.8.8.8' }, ctx)).rejects.toThrow(
      /enrichment\.ipAsnFiles/,
    );
  });
});
