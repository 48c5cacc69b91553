/**
 * File reading throughput: NDJSON (OTRF Windows events, unzipped to a temp file first so that the
 * figure is read + parse + classify, not inflate) and Zeek TSV (wrccdc2018 dns.log, gunzipped to a
 * temp file; and straight from the .gz). Prints one JSON line per result.
 */
import { readdirSync, readFileSync, writeFileSync, appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventFileBatches, type ReadOptions } from '../src/parse/files/index.js';
import { listZipEntries, extractZipEntry } from '../src/parse/files/zip.js';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-files-'));

async function measure(name: string, path: string, opts: ReadOptions = {}, extra: Record<string, unknown> = {}): Promise<void> {
  let events = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  for await (const batch of readEventFileBatches(path, opts, 1000)) {
    for (const item of batch) {
      if (item.ok) events++;
      else failed++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = statSync(path).size;
  console.log(JSON.stringify({ name, events, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(events / seconds), failed, fileMiB: +(bytes / 2 ** 20).toFixed(1), ...extra }));
}

try {
  // NDJSON: the largest OTRF Windows host zips, concatenated into one JSON-lines file.
  const root = join(DATA, 'otrf/atomic/windows');
  const zips: string[] = [];
  for (const tactic of readdirSync(root)) {
    const host = join(root, tactic, 'host');
    try {
      for (const f of readdirSync(host)) if (f.endsWith('.zip')) zips.push(join(host, f));
    } catch {
      /* tactic without host data */
    }
  }
  zips.sort((a, b) => statSync(b).size - statSync(a).size);
  const ndjson = join(dir, 'otrf.jsonl');
  writeFileSync(ndjson, '');
  for (const z of zips.slice(0, 8)) {
    const buf = readFileSync(z);
    const entries = listZipEntries(buf);
    if (!entries.ok) continue;
    for (const e of entries.value) {
      const data = extractZipEntry(buf, e);
      if (data.ok && e.name.endsWith('.json')) appendFileSync(ndjson, data.value);
    }
  }
  // Baseline on the same machine load: cut lines + JSON.parse only, no reader, no classification.
  {
    const t0 = process.hrtime.bigint();
    const buf = readFileSync(ndjson);
    let events = 0;
    for (let s = 0; ; ) {
      const nl = buf.indexOf(10, s);
      const e = nl === -1 ? buf.length : nl;
      if (e > s) {
        JSON.parse(buf.toString('utf8', s, e));
        events++;
      }
      if (nl === -1) break;
      s = nl + 1;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({ name: 'files.ndjson.otrf.baselineIndexOfJsonParse', events, seconds: +seconds.toFixed(3), eventsPerSecond: Math.round(events / seconds) }));
  }
  await measure('files.ndjson.otrf.warmup', ndjson);
  await measure('files.ndjson.otrf', ndjson, {}, { zips: Math.min(8, zips.length), note: 'read + JSON.parse + classify (Windows pass-through, no hook)' });
  await measure('files.ndjson.otrf.windowsHookNoop', ndjson, { hooks: { windows: (d) => ({ ok: true, value: d as Record<string, unknown> }) } });

  // Zeek TSV: dns.log, plain and gzipped.
  const gz = join(DATA, 'zeek-wrccdc2018/zeek-default/dns.log.gz');
  const tsv = join(dir, 'dns.log');
  writeFileSync(tsv, gunzipSync(readFileSync(gz)));
  await measure('files.zeek-tsv.dns', tsv, {}, { note: 'lines → typed record → ECS' });
  await measure('files.zeek-tsv.dns.gz', gz);
  await measure('files.zeek-json.dns.gz', join(DATA, 'zeek-wrccdc2018/zeek-json/dns.json.gz'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
