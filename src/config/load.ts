import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type VigilConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables that override config keys (names fixed by CONTRACT.md). */
const ENV_KEYS: ReadonlyArray<[string, string[], (v: string) => unknown]> = [
  ['VIGIL_DATA_DIR', ['dataDir'], (v) => v],
  ['VIGIL_HTTP_PORT', ['http', 'port'], (v) => v],
  ['VIGIL_SYSLOG_PORT', ['syslog', 'port'], (v) => v],
  ['VIGIL_NETFLOW_PORT', ['netflow', 'port'], (v) => v],
  ['VIGIL_DATABASE_URL', ['database', 'url'], (v) => v],
  ['VIGIL_NATS_URL', ['nats', 'url'], (v) => v],
  ['VIGIL_ROLE', ['cluster', 'role'], (v) => v],
  ['VIGIL_RULES', ['rules', 'paths'], (v) => v.split(':').filter(Boolean)],
  ['VIGIL_LOG_LEVEL', ['log', 'level'], (v) => v],
  ['VIGIL_PUBLIC_URL', ['http', 'publicUrl'], (v) => v],
];

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

function getPath(obj: unknown, keys: PropertyKey[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function describeIssues(error: z.ZodError, input: unknown, origin: Map<string, string>): string[] {
  return error.issues.map((issue) => {
    const keys = issue.path;
    const key = keys.map(String).join('.') || '(root)';
    const from = origin.get(key);
    if (issue.code === 'unrecognized_keys') {
      const where = key === '(root)' ? '' : ` under ${key}`;
      return `unknown key${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.join(', ')}`;
    }
    const value = getPath(input, keys);
    const shown = value === undefined ? 'missing' : JSON.stringify(value);
    return `${key} = ${shown}${from ? ` (from ${from})` : ''}: ${issue.message}`;
  });
}

export interface LoadOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads the YAML file (if any), applies environment overrides, validates. Throws ConfigError. */
export function loadConfig(opts: LoadOptions = {}): VigilConfig & { configFile?: string } {
  const env = opts.env ?? process.env;
  const file = opts.configPath ?? env.VIGIL_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError([`cannot read config file ${file}: ${(e as Error).message}`]);
    }
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(doc.errors.map((err) => `${file}: ${err.message}`));
    }
    const parsed: unknown = doc.toJS();
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError([`${file}: expected a mapping of keys at the top level`]);
      }
      raw = parsed as Record<string, unknown>;
    }
  }
  const origin = new Map<string, string>();
  for (const [name, keys, convert] of ENV_KEYS) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(raw, keys, convert(v));
      origin.set(keys.join('.'), `environment ${name}`);
    }
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error, raw, origin));
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  return file ? { ...config, configFile: file } : config;
}
