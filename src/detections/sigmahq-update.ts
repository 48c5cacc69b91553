/**
 * `vigil rules update`: installs a SigmaHQ rule release (zip or tar.gz archive from an https URL or
 * a local file, or a local directory) into `<dataDir>/rules/sigmahq`, which live detection loads
 * beside the built-in pack and the configured paths. Nothing is installed unless the archive's
 * SHA-256 matches (when given) and at least one rule loads; the new tree is written beside the old
 * one and put in place by rename, so a running Vigil never loads half an update.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadRules } from '../detect/sigma/loader.js';
import type { Rejected } from '../detect/sigma/types.js';
import { extractZipEntry, isTar, isZip, listTarEntries, listZipEntries } from '../parse/files/index.js';
import { isGzip } from '../parse/files/sniff.js';
import { sigmahqDir } from './rule-set.js';

export class RulesUpdateError extends Error {}

export interface RulesUpdateOptions {
  /** https URL of an archive, a local archive, or a local directory */
  from: string;
  /** expected SHA-256 (hex) of the archive */
  sha256?: string | undefined;
  dataDir: string;
  /** largest archive (and largest unpacked total) accepted */
  maxBytes?: number;
  fetchImpl?: typeof fetch;
}

export interface RulesUpdateResult {
  installedTo: string;
  files: number;
  loaded: number;
  rejected: Rejected[];
  sha256?: string;
}

interface Entry {
  name: string;
  data: Buffer;
}

const DEFAULT_MAX = 512 * 1024 * 1024;

async function download(url: string, maxBytes: number, fetchImpl: typeof fetch): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow' });
  } catch (e) {
    throw new RulesUpdateError(`cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (!res.url.startsWith('https://'))
    throw new RulesUpdateError(`${url} redirected to ${res.url}, which is not https`);
  if (!res.ok || !res.body) throw new RulesUpdateError(`cannot fetch ${url}: HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += c.length;
    if (size > maxBytes) throw new RulesUpdateError(`${url} is larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

function unpack(buf: Buffer, maxBytes: number): Entry[] {
  let data = buf;
  if (isGzip(data)) {
    try {
      data = gunzipSync(data, { maxOutputLength: maxBytes });
    } catch (e) {
      throw new RulesUpdateError(`gzip: ${(e as Error).message}`);
    }
  }
  if (isTar(data)) {
    const t = listTarEntries(data);
    if (!t.ok) throw new RulesUpdateError(t.reason);
    return t.value;
  }
  if (isZip(data)) {
    const z = listZipEntries(data);
    if (!z.ok) throw new RulesUpdateError(z.reason);
    const out: Entry[] = [];
    let total = 0;
    for (const e of z.value) {
      if (e.name.endsWith('/') || !/\.ya?ml$/i.test(e.name)) continue;
      const x = extractZipEntry(data, e, maxBytes - total);
      if (!x.ok) throw new RulesUpdateError(x.reason);
      total += x.value.length;
      out.push({ name: e.name, data: x.value });
    }
    return out;
  }
  throw new RulesUpdateError('not a zip, tar or tar.gz archive');
}

function readDirectory(dir: string): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (/\.ya?ml$/i.test(name)) out.push({ name: r, data: readFileSync(path.join(dir, r)) });
    }
  };
  walk('');
  return out;
}

/** A relative path inside the archive that cannot climb out of the install directory. */
function safeName(name: string): string | undefined {
  const parts = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..' || p.includes('\0'))) return undefined;
  if (/^[a-zA-Z]:$/.test(parts[0]!)) return undefined;
  return parts.join('/');
}

const RULES_SEGMENT = /^rules(-[a-z0-9-]+)?$/i;

/**
 * The rule files of a release: a SigmaHQ archive holds `rules*` folders (rules, rules-emerging-
 * threats, rules-threat-hunting...) beside tests, CI workflows and deprecated rules, which are not
 * rules to run. Without any `rules*` folder every YAML file counts (a plain rule directory).
 */
export function selectRuleFiles(entries: readonly Entry[]): Entry[] {
  const yml = entries
    .map((e) => ({ name: safeName(e.name), data: e.data }))
    .filter((e): e is Entry => e.name !== undefined && /\.ya?ml$/i.test(e.name));
  const withSegment = yml
    .map((e) => {
      const parts = e.name.split('/');
      const i = parts.findIndex((p, k) => k < parts.length - 1 && RULES_SEGMENT.test(p));
      return i === -1 ? undefined : { name: parts.slice(i).join('/'), data: e.data };
    })
    .filter((e): e is Entry => e !== undefined);
  return withSegment.length > 0 ? withSegment : yml;
}

export async function updateSigmaRules(opts: RulesUpdateOptions): Promise<RulesUpdateResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX;
  const want = opts.sha256?.toLowerCase();
  if (want !== undefined && !/^[0-9a-f]{64}$/.test(want))
    throw new RulesUpdateError('--sha256: expected 64 hexadecimal digits');
  let entries: Entry[];
  let digest: string | undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(opts.from)) {
    if (!opts.from.startsWith('https://'))
      throw new RulesUpdateError(`--from: only https:// URLs are fetched (${opts.from})`);
    const buf = await download(opts.from, maxBytes, opts.fetchImpl ?? fetch);
    digest = createHash('sha256').update(buf).digest('hex');
    if (want !== undefined && digest !== want)
      throw new RulesUpdateError(
        `sha256 mismatch: expected ${want}, the archive has ${digest}; nothing installed`,
      );
    entries = unpack(buf, maxBytes);
  } else {
    const st = statSync(opts.from, { throwIfNoEntry: false });
    if (!st) throw new RulesUpdateError(`--from: ${opts.from} does not exist`);
    if (st.isDirectory()) {
      if (want !== undefined)
        throw new RulesUpdateError('--sha256 checks an archive; --from names a directory');
      entries = readDirectory(opts.from);
    } else {
      if (st.size > maxBytes) throw new RulesUpdateError(`${opts.from} is larger than ${maxBytes} bytes`);
      const buf = readFileSync(opts.from);
      digest = createHash('sha256').update(buf).digest('hex');
      if (want !== undefined && digest !== want)
        throw new RulesUpdateError(
          `sha256 mismatch: expected ${want}, the archive has ${digest}; nothing installed`,
        );
      entries = unpack(buf, maxBytes);
    }
  }
  const files = selectRuleFiles(entries);
  if (files.length === 0) throw new RulesUpdateError(`no .yml rule files in ${opts.from}`);

  const target = sigmahqDir(opts.dataDir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const tmp = path.join(parent, `.sigmahq-new-${tag}`);
  try {
    for (const f of files) {
      const dest = path.join(tmp, ...f.name.split('/'));
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, f.data);
    }
    const r = loadRules(tmp);
    const loaded = r.rules.length + r.correlations.length + r.filters.length;
    const rejected = r.rejected.map((x) => ({ ...x, file: path.relative(tmp, x.file) || x.file }));
    if (loaded === 0)
      throw new RulesUpdateError(
        `none of the ${files.length} files holds a rule that loads; nothing installed`,
      );
    writeFileSync(
      path.join(tmp, 'SOURCE.json'),
      JSON.stringify(
        {
          from: opts.from,
          sha256: digest ?? null,
          installedAt: new Date().toISOString(),
          files: files.length,
          loaded,
          rejected: rejected.length,
        },
        null,
        2,
      ),
    );
    const old = path.join(parent, `.sigmahq-old-${tag}`);
    let hadOld = false;
    try {
      renameSync(target, old);
      hadOld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      renameSync(tmp, target);
    } catch (e) {
      if (hadOld) renameSync(old, target); // put the previous release back
      throw e;
    }
    if (hadOld) rmSync(old, { recursive: true, force: true });
    return {
      installedTo: target,
      files: files.length,
      loaded,
      rejected,
      ...(digest ? { sha256: digest } : {}),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
