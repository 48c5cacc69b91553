/**
 * Address → autonomous system and country, from range tables in the iptoasn.com format (public
 * domain, refreshed hourly upstream): one range per line, tab-separated
 * `range_start  range_end  AS_number  country_code  AS_description`, IPv4 and IPv6 alike
 * (`ip2asn-combined.tsv`, `ip2asn-v4.tsv`, `ip2asn-v6.tsv`, optionally gzipped). Vigil ships no
 * such table; an operator points `enrichment.ipAsnFiles` at downloaded copies.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseIp, type Ip } from '../intel/ip.js';

export interface IpNetworkInfo {
  asn: number;
  /** ISO 3166 alpha-2, or null when the table does not say. */
  country: string | null;
  organization: string;
}

interface Range {
  start: bigint;
  end: bigint;
  info: IpNetworkInfo;
}

export interface LoadReport {
  file: string;
  ranges: number;
  /** Lines that were not a range (with the first few reasons, for the operator). */
  rejected: number;
  reasons: string[];
}

/** IPv4 addresses live in their own space: v4 and v6 ranges never compare with each other. */
const V6_OFFSET = 1n << 32n;

function ipValue(ip: Ip): bigint {
  return ip.v === 4 ? BigInt(ip.n) : V6_OFFSET + BigInt(`0x${ip.hex}`);
}

export class IpAsnTable {
  private ranges: Range[] = [];

  get size(): number {
    return this.ranges.length;
  }

  /** Adds the ranges of one table's text; bad lines are counted, never thrown. */
  addText(text: string, file = '<text>'): LoadReport {
    const report: LoadReport = { file, ranges: 0, rejected: 0, reasons: [] };
    const reject = (line: number, why: string): void => {
      report.rejected++;
      if (report.reasons.length < 5) report.reasons.push(`${file}:${line}: ${why}`);
    };
    const lines = text.split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!.replace(/\r$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const [from, to, asText, country, ...org] = line.split('\t');
      const a = parseIp(from ?? '');
      const b = parseIp(to ?? '');
      if (!a || !b || a.v !== b.v) {
        reject(n + 1, 'range ends are not two addresses of one family');
        continue;
      }
      const asn = Number(asText);
      if (!Number.isInteger(asn) || asn < 0 || asn >= 2 ** 32) {
        reject(n + 1, `AS number ${String(asText).slice(0, 20)} is not a 32-bit integer`);
        continue;
      }
      // AS 0 marks address space nobody announces: no information, not an organisation.
      if (asn === 0) continue;
      const start = ipValue(a);
      const end = ipValue(b);
      if (end < start) {
        reject(n + 1, 'range ends before it starts');
        continue;
      }
      const cc = (country ?? '').trim().toUpperCase();
      this.ranges.push({
        start,
        end,
        info: {
          asn,
          country: /^[A-Z]{2}$/.test(cc) && cc !== 'ZZ' && cc !== 'NONE' ? cc : null,
          organization: org.join('\t').trim(),
        },
      });
      report.ranges++;
    }
    this.ranges.sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
    return report;
  }

  addFile(file: string): LoadReport {
    const raw = readFileSync(file);
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
    return this.addText(text, file);
  }

  /** The network an address belongs to, or undefined (unknown, unrouted or not an address). */
  lookup(address: string): IpNetworkInfo | undefined {
    const ip = parseIp(address.trim());
    if (!ip) return undefined;
    const v = ipValue(ip);
    // The last range starting at or before v; ranges in these tables do not overlap.
    let lo = 0;
    let hi = this.ranges.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid]!.start <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const r = found >= 0 ? this.ranges[found] : undefined;
    return r && v <= r.end ? r.info : undefined;
  }
}
