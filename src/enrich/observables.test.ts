import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite/db.js';
import { SqliteIntelStore } from '../store/sqlite/intel.js';
import { IpAsnTable } from './ip-asn.js';
import { AddressDatabases, BUNDLED_MMDB } from './mmdb.js';
import { ObservableEnricher } from './observables.js';

describe('observable enrichment', () => {
  const db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'vigil-enrich-')), 'vigil.db'));
  const intel = new SqliteIntelStore(db);
  let enricher: ObservableEnricher;

  beforeAll(async () => {
    await intel.upsertIndicators([
      {
        tenant: 'default',
        type: 'domain',
        value: 'evil.example',
        source: 'feed-a',
        confidence: 80,
        tags: ['report:APT-brief-7'],
      },
      { tenant: 'default', type: 'domain', value: 'evil.example', source: 'feed-b', confidence: 60 },
      { tenant: 'default', type: 'ipv4', value: '203.0.113.9', source: 'feed-a', confidence: 50 },
      { tenant: 'default', type: 'sha256', value: 'a'.repeat(64), source: 'misp', confidence: 90 },
      { tenant: 'acme', type: 'domain', value: 'acme-only.example', source: 'feed-c', confidence: 90 },
      { tenant: 'default', type: 'cidr', value: '203.0.113.0/24', source: 'blocklist', confidence: 40 },
      { tenant: 'default', type: 'cidr', value: '2001:db8::/32', source: 'blocklist', confidence: 30 },
      { tenant: 'acme', type: 'cidr', value: '10.0.0.0/8', source: 'feed-c', confidence: 30 },
    ]);
    const table = new IpAsnTable();
    table.addText('203.0.113.0\t203.0.113.255\t64500\tNL\tEXAMPLE-NET Documentation\n');
    enricher = new ObservableEnricher({
      intel,
      asnTable: table,
      addresses: await AddressDatabases.open([BUNDLED_MMDB]),
    });
  });
  afterAll(() => db.close());

  it('finds indicators for a subdomain under a listed domain, with every source and report', async () => {
    const [o] = await enricher.enrich('default', [{ type: 'domain', value: 'cdn.evil.example' }]);
    expect(o!.indicators).toHaveLength(1);
    expect(o!.indicators[0]).toMatchObject({
      value: 'evil.example',
      sources: ['feed-a', 'feed-b'],
      reports: ['APT-brief-7'],
    });
    expect(o!.network).toBeNull();
  });

  it('gives AS from the range table and country from the table or the database for addresses', async () => {
    const [listed, google] = await enricher.enrich('default', [
      { type: 'ip', value: '203.0.113.9' },
      { type: 'ip', value: '8.8.8.8' },
    ]);
    expect(listed!.indicators.map((i) => `${i.type} ${i.value}`)).toEqual([
      'ipv4 203.0.113.9',
      'cidr 203.0.113.0/24',
    ]);
    expect(listed!.network).toMatchObject({
      asn: 64500,
      organization: 'EXAMPLE-NET Documentation',
      country: 'NL',
    });
    expect(google!.indicators).toEqual([]);
    expect(google!.network?.country).toMatch(/^[A-Z]{2}$/);
    expect(google!.network?.asn).toBeNull();
  });

  it("matches case hash observables and never shows another tenant's indicators", async () => {
    const [hash, other] = await enricher.enrich('default', [
      { type: 'sha256', value: 'A'.repeat(64) },
      { type: 'domain', value: 'acme-only.example' },
    ]);
    expect(hash!.indicators[0]).toMatchObject({ type: 'sha256', confidence: 90 });
    expect(other!.indicators).toEqual([]);
  });

  it("finds the listed networks that hold an address, IPv4 and IPv6, and only the tenant's", async () => {
    const [v6, outside, otherTenant] = await enricher.enrich('default', [
      { type: 'ip', value: '2001:DB8:0:1::7' },
      { type: 'ip', value: '203.0.114.1' },
      { type: 'ip', value: '10.1.2.3' },
    ]);
    expect(v6!.indicators.map((i) => i.value)).toEqual(['2001:db8::/32']);
    expect(outside!.indicators).toEqual([]);
    expect(otherTenant!.indicators).toEqual([]);
    const [acme] = await enricher.enrich('acme', [{ type: 'ip', value: '10.1.2.3' }]);
    expect(acme!.indicators.map((i) => i.value)).toEqual(['10.0.0.0/8']);
  });
});
