import { isPcap, isPcapng } from '../pcap/container.js';

export type FileFormat = 'evtx' | 'ndjson' | 'json' | 'csv' | 'zeek-tsv' | 'zeek-json' | 'eve' | 'pcap' | 'pcapng';

const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

export const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Decides a format from the first bytes of (decompressed) content; undefined when none fits. */
export function sniffFormat(head: Buffer): FileFormat | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(EVTX_MAGIC)) return 'evtx';
  if (isPcapng(head)) return 'pcapng';
  if (isPcap(head)) return 'pcap';
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i >= head.length) return undefined;
  const c = head[i]!;
  if (c === 0x23 && head.toString('latin1', i, i + 10) === '#separator') return 'zeek-tsv';
  if (c === 0x5b) return 'json';
  if (c === 0x7b) {
    const nl = head.indexOf(10, i);
    if (nl === -1) return 'json';
    try {
      const v: unknown = JSON.parse(head.toString('utf8', i, nl));
      return v !== null && typeof v === 'object' ? 'ndjson' : 'json';
    } catch {
      return 'json';
    }
  }
  const nl = head.indexOf(10, i);
  const first = head.toString('utf8', i, nl === -1 ? Math.min(head.length, 65536) : nl);
  if (first.includes(',') && !first.includes('\0')) return 'csv';
  return undefined;
}

const ZEEK_LOGS = new Set([
  'conn', 'dns', 'http', 'ssl', 'x509', 'files', 'notice', 'weird', 'ssh', 'smtp', 'dhcp', 'dce_rpc', 'kerberos', 'ntlm', 'rdp', 'ftp',
  'smb_files', 'smb_mapping', 'software', 'ocsp', 'known_certs', 'known_hosts', 'known_services', 'pe', 'snmp', 'sip', 'syslog',
  'tunnel', 'radius', 'mysql', 'modbus', 'dnp3', 'irc', 'rfb', 'ntp', 'analyzer', 'dpd', 'capture_loss', 'stats', 'intel', 'signatures',
]);

/** Zeek log name from a file name: `dns.log`, `dns.2018-03-24.log.gz`, `NASHUA_conn.log`. */
export function zeekLogFromName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').split('.')[0] ?? '';
  if (ZEEK_LOGS.has(base)) return base;
  for (let i = base.indexOf('_'); i !== -1; i = base.indexOf('_', i + 1)) {
    const tail = base.slice(i + 1);
    if (ZEEK_LOGS.has(tail)) return tail;
  }
  return '';
}
