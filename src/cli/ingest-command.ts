import type { Command } from 'commander';
import { openStorage } from '../app.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { loadConfig } from '../config/load.js';
import { importFiles } from '../ingest/files/import.js';
import { createVigilMetrics } from '../metrics/registry.js';
import { normalizeIncoming } from '../normalize/incoming.js';
import { IngestPipeline } from '../pipeline/ingest.js';
import { CliError, configOption } from './io.js';

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest <paths...>')
    .description('import event files into the local data directory (EVTX, JSON/NDJSON, CSV, Zeek, Suricata EVE, pcap; gzip/zip/tar)')
    .option('--tenant <tenant>', 'tenant to store the events in', 'default')
    .addOption(configOption())
    .action(async (paths: string[], opts: { tenant: string; config?: string }) => {
      const config = loadConfig({ configPath: opts.config });
      const storage = await openStorage(config);
      const bus = new MemoryBus();
      try {
        if (!(await storage.identity.getTenant(opts.tenant)) && opts.tenant !== 'default') {
          throw new CliError(`tenant ${opts.tenant} does not exist (create it with the API or the console first)`);
        }
        if (opts.tenant === 'default' && !(await storage.identity.getTenant('default'))) {
          await storage.identity.createTenant({ id: 'default', name: 'Default' });
        }
        const pipeline = new IngestPipeline(storage.events, storage.deadLetters, bus, createVigilMetrics(), Number.MAX_SAFE_INTEGER, undefined, normalizeIncoming);
        const tty = process.stderr.isTTY;
        let last = 0;
        const r = await importFiles(pipeline, opts.tenant, paths, (p) => {
          const now = Date.now();
          if (now - last < 200) return;
          last = now;
          const line = `${p.file}: ${p.accepted} stored, ${p.rejected} rejected`;
          process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
        });
        if (tty) process.stderr.write('\r\x1b[K');
        process.stdout.write(`ingested ${r.accepted} events from ${r.files} file(s) into tenant ${opts.tenant}; ${r.rejected} rejected (see dead letters)\n`);
      } finally {
        await bus.close();
        await storage.close();
      }
    });
}
