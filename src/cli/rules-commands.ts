import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { explain, formatExplanation } from '../detect/explain.js';
import { loadRules } from '../detect/sigma/loader.js';
import type { LoadResult } from '../detect/sigma/types.js';
import { loadConfig } from '../config/load.js';
import { RulesUpdateError, updateSigmaRules } from '../detections/sigmahq-update.js';
import { hunt, LEVELS } from '../hunt/hunt.js';
import { CSV_HEADER, formatHit, formatSummary, TABLE_HEADER, type HuntFormat } from '../hunt/format.js';
import { normalizeIncoming } from '../normalize/incoming.js';
import { decodeJsonBody } from '../pipeline/ndjson.js';
import { CliError, configOption, EXIT } from './io.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function loadOrFail(paths: string[]): LoadResult {
  for (const p of paths) {
    if (!statSync(p, { throwIfNoEntry: false }))
      throw new CliError(`rules path ${p} does not exist or cannot be read`);
  }
  return loadRules(paths);
}

function parseTime(v: string | undefined, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliError(`${name}: not a valid time: ${v}`);
  return new Date(t);
}

export function registerRulesCommands(program: Command): void {
  const rules = program.command('rules').description('Sigma rules: validate and test');
  rules
    .command('validate <paths...>')
    .description(
      'load Sigma rules and report every rejected one with file, line and reason; exit 1 if any is rejected',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((paths: string[], opts: { format: 'text' | 'json' }) => {
      const r = loadOrFail(paths);
      const loaded = r.rules.length + r.filters.length + r.correlations.length;
      const rejected = r.rejected.map((x) => ({
        file: x.file,
        ...(x.line !== undefined ? { line: x.line } : {}),
        reason: x.reason,
      }));
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ loaded, rejected })}\n`);
      else {
        for (const x of rejected)
          process.stdout.write(`${x.file}${x.line !== undefined ? `:${x.line}` : ''}: ${x.reason}\n`);
        process.stdout.write(
          `${loaded} loaded (${r.rules.length} rules, ${r.correlations.length} correlations, ${r.filters.length} filters), ${rejected.length} rejected\n`,
        );
      }
      if (rejected.length > 0) process.exitCode = EXIT.failed;
    });
  rules
    .command('update')
    .description(
      'install a SigmaHQ release (zip or tar.gz from an https URL or a file, or a directory) into <dataDir>/rules/sigmahq; live detection loads it on start, SIGHUP or POST /api/v1/rules/reload',
    )
    .requiredOption('--from <url|path>', 'https URL or local path of a release archive, or a rule directory')
    .option('--sha256 <hex>', 'expected SHA-256 of the archive; refuse to install on mismatch')
    .addOption(configOption())
    .action(async (opts: { from: string; sha256?: string; config?: string }) => {
      const config = loadConfig({ configPath: opts.config });
      let r;
      try {
        r = await updateSigmaRules({ from: opts.from, sha256: opts.sha256, dataDir: config.dataDir });
      } catch (e) {
        if (e instanceof RulesUpdateError) throw new CliError(e.message, EXIT.failed);
        throw e;
      }
      const shown = r.rejected.slice(0, 20);
      for (const x of shown)
        process.stdout.write(`rejected ${x.file}${x.line !== undefined ? `:${x.line}` : ''}: ${x.reason}\n`);
      if (r.rejected.length > shown.length)
        process.stdout.write(
          `... and ${r.rejected.length - shown.length} more rejected (vigil rules validate ${r.installedTo})\n`,
        );
      process.stdout.write(
        `installed ${r.files} files into ${r.installedTo}${r.sha256 ? ` (sha256 ${r.sha256})` : ''}: ${r.loaded} loaded, ${r.rejected.length} rejected\n`,
      );
    });
  rules
    .command('test <rule> <events>')
    .description(
      'show, selection by selection, why each event (NDJSON/JSON file) does or does not match the rule',
    )
    .action((rulePath: string, eventsPath: string) => {
      const r = loadOrFail([rulePath]);
      if (r.rules.length === 0)
        throw new CliError(
          `no rule loaded from ${rulePath}: ${r.rejected.map((x) => x.reason).join('; ') || 'empty'}`,
        );
      let body: Buffer;
      try {
        body = readFileSync(eventsPath);
      } catch (e) {
        throw new CliError(`cannot read ${eventsPath}: ${(e as Error).message}`);
      }
      let matched = 0;
      for (const [i, item] of decodeJsonBody(body).entries()) {
        if (!item.ok) {
          process.stdout.write(`event ${i + 1}: ${item.reason}\n`);
          continue;
        }
        const doc = normalizeIncoming(item.doc);
        const event = (doc.ok ? doc.value : item.doc) as Record<string, unknown>;
        for (const rule of r.rules) {
          const x = explain(rule, event);
          if (x.matched) matched++;
          process.stdout.write(`event ${i + 1}: ${formatExplanation(x)}\n`);
        }
      }
      process.stdout.write(`${matched} match(es)\n`);
    });

  program
    .command('hunt <paths...>')
    .description(
      'run Sigma rules over event files (EVTX, evtx_dump JSON, NDJSON/JSON, Zeek, EVE, pcap; gzip/zip) and print detections',
    )
    .requiredOption('--rules <path>', 'rule file or directory (repeatable)', collect, [])
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'jsonl', 'csv']).default('table'),
    )
    .option('--from <time>', 'only events at or after this time (ISO 8601)')
    .option('--to <time>', 'only events before this time (ISO 8601)')
    .addOption(new Option('--level <level>', 'minimum rule level').choices(LEVELS))
    .option(
      '--tags <tags>',
      'only rules with one of these tags, comma-separated (e.g. attack.t1003,attack.execution)',
    )
    .action(
      async (
        paths: string[],
        opts: {
          rules: string[];
          format: HuntFormat;
          from?: string;
          to?: string;
          level?: (typeof LEVELS)[number];
          tags?: string;
        },
      ) => {
        if (opts.rules.length === 0) throw new CliError('hunt: --rules is required');
        const from = parseTime(opts.from, '--from');
        const to = parseTime(opts.to, '--to');
        const loaded = loadOrFail(opts.rules);
        if (loaded.rules.length === 0)
          throw new CliError(
            `no rule could be loaded from ${opts.rules.join(', ')} (${loaded.rejected.length} rejected)`,
          );
        const tty = process.stderr.isTTY;
        process.stderr.write(
          `loaded ${loaded.rules.length} rules, ${loaded.correlations.length} correlations, ${loaded.filters.length} filters; ${loaded.rejected.length} rejected (vigil rules validate shows why)\n`,
        );
        if (opts.format === 'csv') process.stdout.write(`${CSV_HEADER}\n`);
        if (opts.format === 'table') process.stdout.write(`${TABLE_HEADER}\n`);
        let lastProgress = 0;
        const summary = await hunt(
          loaded,
          paths,
          {
            from,
            to,
            level: opts.level,
            tags: opts.tags
              ?.split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
          (hit) => process.stdout.write(`${formatHit(hit, opts.format)}\n`),
          (p) => {
            const now = Date.now();
            if (!tty || now - lastProgress < 100) return;
            lastProgress = now;
            const pct = Math.round(((p.fileIndex + 1) / p.files) * 100);
            const bar = '#'.repeat(Math.round(pct / 5)).padEnd(20, '.');
            process.stderr.write(
              `\r\x1b[K[${bar}] ${pct}% file ${p.fileIndex + 1}/${p.files}, ${p.events} events, ${p.hits} detections`,
            );
          },
        );
        if (tty) process.stderr.write('\r\x1b[K');
        const text = formatSummary(summary);
        if (opts.format === 'table') process.stdout.write(`\n${text}\n`);
        else process.stderr.write(`${text}\n`);
      },
    );
}
