import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFromText, importRss, parseFeedXml, refang } from './rss.js';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>CERT advisories</title>
<item>
  <title>Exploitation of CVE-2026-12345 in VPN appliances</title>
  <link>https://cert.example/advisories/2026-77</link>
  <guid>adv-2026-77</guid>
  <pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate>
  <description><![CDATA[<p>Attackers exploit <b>CVE-2026-12345</b> and cve-2025-0001. C2 at 45.76.12[.]9 and
  update-check[.]badcdn[.]example, payload hxxps://dl.badcdn[.]example/a.bin
  (SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08). Internal 10.0.0.5 is not an IOC.
  Read more on https://cert.example/advisories/2026-77.</p><script>alert(1)</script>]]></description>
</item>
<item><title>Patch day &amp; notes</title><link>https://cert.example/notes</link><description>Nothing to see.</description></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Vendor threat briefs</title>
<entry><title type="html">Loader &lt;b&gt;campaign&lt;/b&gt;</title><id>urn:brief:1</id>
<link rel="alternate" href="https://vendor.example/briefs/1"/><updated>2026-11-20T12:00:00Z</updated>
<summary>md5 44d88612fea8a8f36de82e1278abb02f seen with 185.220.101[.]4</summary></entry>
</feed>`;

const ctx = { tenant: 'default', source: 'cert-feed', feedId: 'f-rss', confidence: 40 };

describe('RSS and Atom feeds', () => {
  it('reads RSS items as reports with their CVEs, and the indicators written in them', () => {
    const r = importRss(RSS, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.objects).toHaveLength(2);
    const report = r.value.objects[0]!;
    expect(report).toMatchObject({
      type: 'report',
      name: 'Exploitation of CVE-2026-12345 in VPN appliances',
    });
    expect(report.doc['x_vigil_cves']).toEqual(['CVE-2025-0001', 'CVE-2026-12345']);
    expect(report.doc['published']).toBe('2026-11-24T09:30:00.000Z');
    expect(String(report.doc['description'])).not.toMatch(/<|alert\(1\)/);
    const values = r.value.indicators.map((i) => `${i.type}:${i.value}`).sort();
    expect(values).toEqual(
      [
        'domain:update-check.badcdn.example',
        'ipv4:45.76.12.9',
        'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        'url:dl.badcdn.example/a.bin',
      ].sort(),
    );
    expect(r.value.indicators[0]).toMatchObject({
      source: 'cert-feed',
      confidence: 40,
      tags: expect.arrayContaining([
        'report:Exploitation of CVE-2026-12345 in VPN appliances',
        'cve:CVE-2026-12345',
      ]),
    });
    // The second item has no indicator: a report all the same.
    expect(r.value.objects[1]!.name).toBe('Patch day & notes');
  });

  it('reads Atom entries (HTML titles made plain, alternate link)', () => {
    const items = parseFeedXml(ATOM);
    expect(items.ok && items.value[0]).toMatchObject({
      id: 'urn:brief:1',
      title: 'Loader campaign',
      link: 'https://vendor.example/briefs/1',
      published: '2026-11-20T12:00:00.000Z',
    });
    const r = importRss(ATOM, ctx);
    expect(r.ok && r.value.indicators.map((i) => i.type).sort()).toEqual(['ipv4', 'md5']);
  });

  it('refangs and refuses what is not a feed', () => {
    expect(refang('hxxp://a[.]b(.)c[dot]d')).toBe('http://a.b.c.d');
    expect(extractFromText('see 192.168.1.1 and 8.8.8.8').indicators).toEqual([
      { type: 'ipv4', value: '8.8.8.8' },
    ]);
    expect(importRss('<html><body>hi</body></html>', ctx)).toMatchObject({ ok: false });
    expect(importRss('not xml at all <<', ctx).ok).toBe(false);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = importRss(
          `<rss><channel><item><title>${s}</title><description>${s}</description></item></channel></rss>`,
          ctx,
        );
        expect(typeof r.ok).toBe('boolean');
        expect(typeof importRss(s, ctx).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
