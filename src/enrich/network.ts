import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import { IpAsnTable } from './ip-asn.js';
import { AddressDatabases } from './mmdb.js';

/** The address tables an operator configured; one that cannot be read is reported, not fatal. */
export function loadNetworkTables(files: readonly string[], log: Logger): IpAsnTable {
  const table = new IpAsnTable();
  for (const file of files) {
    try {
      const r = table.addFile(file);
      log.info({ file, ranges: r.ranges, rejected: r.rejected, reasons: r.reasons }, 'address table loaded');
    } catch (err) {
      log.error({ file, err }, 'address table not loaded (enrichment.ipAsnFiles)');
    }
  }
  return table;
}

/** Every offline source of address facts: AS range tables and MaxMind-format databases. */
export async function openNetworkFacts(
  config: VigilConfig['enrichment'],
  log: Logger,
): Promise<{ asnTable: IpAsnTable; addresses: AddressDatabases }> {
  const asnTable = loadNetworkTables(config.ipAsnFiles, log);
  const addresses = await AddressDatabases.open(config.mmdbFiles, (file, err) =>
    log.error({ file, err }, 'address database not loaded (enrichment.mmdbFiles)'),
  );
  return { asnTable, addresses };
}
