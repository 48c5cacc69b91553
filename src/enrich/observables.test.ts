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
    expect(listed!.indicators.map((i) => i.type)).toEqual(['ipv4']);
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
});
