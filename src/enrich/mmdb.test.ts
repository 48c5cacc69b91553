import { describe, expect, it } from 'vitest';
import { AddressDatabases, BUNDLED_MMDB } from './mmdb.js';

describe('offline address databases', () => {
  it('answers country for public IPv4 and IPv6 from the bundled database, nothing for private space', async () => {
    const db = await AddressDatabases.open([BUNDLED_MMDB]);
    expect(db.size).toBe(1);
    const v4 = db.lookup('8.8.8.8');
    expect(v4?.country).toMatch(/^[A-Z]{2}$/);
    expect(v4?.sources[0]).toMatch(/geo-whois-asn-country\.mmdb$/);
    expect(db.lookup('2001:4860:4860::8888')?.country).toMatch(/^[A-Z]{2}$/);
    expect(db.lookup('10.1.2.3')).toBeUndefined();
    expect(db.lookup('not-an-address')).toBeUndefined();
  });

  it('reports a file it cannot open and carries on with the others', async () => {
    const failed: string[] = [];
    const db = await AddressDatabases.open(['/nonexistent/x.mmdb', BUNDLED_MMDB], (f) => failed.push(f));
    expect(failed).toEqual(['/nonexistent/x.mmdb']);
    expect(db.size).toBe(1);
  });
});
