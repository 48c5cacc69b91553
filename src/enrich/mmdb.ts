/**
 * Offline address facts from MaxMind-format databases (`.mmdb`): country, and AS number and
 * organisation when a database has them. Vigil ships the CC0/CC-BY country database of
 * `@ip-location-db/geo-whois-asn-country-mmdb` (records `{country_code}`); an operator may list
 * other files in `enrichment.mmdbFiles` — GeoLite2 Country/City/ASN or newer ip-location-db
 * releases — and every file is asked, the first answer for each fact winning.
 */
import { createRequire } from 'node:module';
import { open, type Reader, type Response } from 'maxmind';

export const BUNDLED_MMDB = 'bundled';

export interface AddressFacts {
  country: string | null;
  asn: number | null;
  organization: string | null;
  /** Which database file answered. */
  sources: string[];
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Country code from either record layout: ip-location-db's flat one or MaxMind's nested one. */
function countryOf(r: Rec): string | null {
  const flat = r['country_code'];
  const nested = isRec(r['country']) ? r['country']['iso_code'] : undefined;
  const cc = typeof flat === 'string' ? flat : typeof nested === 'string' ? nested : undefined;
  return cc && /^[A-Za-z]{2}$/.test(cc) ? cc.toUpperCase() : null;
}

function asnOf(r: Rec): { asn: number | null; organization: string | null } {
  const n = r['autonomous_system_number'] ?? r['asn'];
  const org = r['autonomous_system_organization'] ?? r['as_organization'] ?? r['organization'];
  const asn = typeof n === 'number' ? n : typeof n === 'string' && /^\d+$/.test(n) ? Number(n) : null;
  return { asn, organization: typeof org === 'string' ? org : null };
}

export function bundledMmdbPath(): string {
  return createRequire(import.meta.url).resolve(
    '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
  );
}

export class AddressDatabases {
  private constructor(private readonly readers: ReadonlyArray<{ file: string; reader: Reader<Response> }>) {}

  /** Opens each file; one that cannot be read is reported and left out, never fatal. */
  static async open(
    files: readonly string[],
    onError: (file: string, err: unknown) => void = () => undefined,
  ): Promise<AddressDatabases> {
    const readers: Array<{ file: string; reader: Reader<Response> }> = [];
    for (const f of files) {
      const file = f === BUNDLED_MMDB ? bundledMmdbPath() : f;
      try {
        // No file watching: a database changes when the operator restarts with a new one.
        readers.push({
          file,
          reader: await open<Response>(file, { watchForUpdates: false, cache: { max: 10_000 } }),
        });
      } catch (err) {
        onError(file, err);
      }
    }
    return new AddressDatabases(readers);
  }

  get size(): number {
    return this.readers.length;
  }

  /** What the databases know about an address; undefined when none knows anything. */
  lookup(address: string): AddressFacts | undefined {
    const facts: AddressFacts = { country: null, asn: null, organization: null, sources: [] };
    for (const { file, reader } of this.readers) {
      let r: unknown;
      try {
        r = reader.get(address.trim());
      } catch {
        return undefined; // not an address
      }
      if (!isRec(r)) continue;
      const cc = countryOf(r);
      const as = asnOf(r);
      let used = false;
      if (facts.country === null && cc) {
        facts.country = cc;
        used = true;
      }
      if (facts.asn === null && as.asn !== null) {
        facts.asn = as.asn;
        facts.organization = as.organization;
        used = true;
      }
      if (used) facts.sources.push(file);
    }
    return facts.sources.length > 0 ? facts : undefined;
  }
}
